/**
 * A job's rate and ETA from what the dashboard has seen of it: (time, chunks done) samples from the
 * snapshots, the rate over the last RATE_WINDOW_MS of them. Pure, so it is tested without a page.
 */
export const RATE_WINDOW_MS = 30_000;
/** Samples kept per job: at one per 2 s broadcast, a little over the window. */
const MAX_SAMPLES = 20;

export interface Sample {
	at: number;
	done: number;
}

export function addSample(samples: Sample[], sample: Sample): Sample[] {
	const last = samples.at(-1);
	// Fewer done than before is not the same count going on (a dashboard that saw another swarm state): start over.
	if (last && sample.done < last.done) return [sample];
	if (last && sample.at <= last.at) return samples;
	return [...samples, sample].slice(-MAX_SAMPLES);
}

/** Chunks per second over the window, or null before two samples a second apart. */
export function rateOf(samples: Sample[]): number | null {
	const last = samples.at(-1);
	if (!last) return null;
	const first = samples.find((s) => s.at >= last.at - RATE_WINDOW_MS) ?? samples[0];
	const seconds = (last.at - first.at) / 1000;
	return seconds >= 1 ? (last.done - first.done) / seconds : null;
}

/** Seconds left at `rate`, or null when nothing can be said (no rate yet, or stalled). */
export function etaSeconds(done: number, total: number, rate: number | null): number | null {
	if (done >= total) return 0;
	return rate && rate > 0 ? Math.ceil((total - done) / rate) : null;
}

export function formatEta(seconds: number | null): string {
	if (seconds === null) return '—';
	if (seconds < 60) return `${seconds} s`;
	if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
	return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
