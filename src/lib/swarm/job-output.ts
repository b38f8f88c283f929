import type { JobSandbox } from './sandbox/job-sandbox';

/** merge() may take this long on the owner's dashboard (it runs once, over every result). */
export const MERGE_TIME_LIMIT_MS = 30_000;

interface Downloaded {
	code: string;
	input: unknown;
	results: unknown[];
	total: number;
}

/** An image job's output: `{ image: { width, height, rgba } }`, rgba one byte per channel, row by row. */
export function imageOf(output: unknown): { width: number; height: number; rgba: number[] } | null {
	const image = (output as { image?: unknown } | null)?.image as { width?: unknown; height?: unknown; rgba?: unknown };
	if (!image || typeof image !== 'object') return null;
	const { width, height, rgba } = image;
	if (!Number.isInteger(width) || !Number.isInteger(height) || !Array.isArray(rgba)) return null;
	if ((width as number) < 1 || (height as number) < 1 || rgba.length !== (width as number) * (height as number) * 4)
		return null;
	return { width: width as number, height: height as number, rgba: rgba as number[] };
}

/**
 * Merges a finished custom job in the sandbox (its module's merge(results, input)) and saves the output:
 * a PNG for an image job, JSON otherwise. The results come from the coordinator, each one accepted by
 * the vote of k devices. Answers the file name, or throws with a message for the page.
 */
export async function downloadOutput(
	swarmId: string,
	jobId: string,
	title: string,
	sandbox: JobSandbox
): Promise<string> {
	const res = await fetch(`/api/swarm/${swarmId}/jobs/${jobId}`, { headers: { accept: 'application/json' } });
	const body = (await res.json()) as Downloaded & { error?: { message: string } };
	if (!res.ok) throw new Error(body.error?.message ?? `Could not download the results (${res.status}).`);
	if (body.results.length < body.total) throw new Error('The job has not finished: not every chunk is verified yet.');
	const merged = await sandbox.call(body.code, 'merge', [body.results, body.input], MERGE_TIME_LIMIT_MS);
	if (!merged.ok) throw new Error(`merge() failed: ${merged.error}`);
	const base = title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'job';
	const image = imageOf(merged.value);
	if (image) {
		const canvas = document.createElement('canvas');
		canvas.width = image.width;
		canvas.height = image.height;
		canvas
			.getContext('2d')!
			.putImageData(new ImageData(Uint8ClampedArray.from(image.rgba), image.width, image.height), 0, 0);
		const png = await new Promise<Blob>((resolve, reject) =>
			canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('Could not encode the PNG.'))), 'image/png')
		);
		return save(png, `${base}-${jobId}.png`);
	}
	return save(new Blob([JSON.stringify(merged.value, null, 2)], { type: 'application/json' }), `${base}-${jobId}.json`);
}

function save(blob: Blob, name: string): string {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.click();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
	return name;
}

let shared: JobSandbox | null = null;

/** The dashboard's one sandbox (split at submit, merge for downloads), made on first use. */
export async function dashboardSandbox(): Promise<JobSandbox> {
	const { JobSandbox } = await import('./sandbox/job-sandbox');
	shared ??= new JobSandbox();
	return shared;
}
