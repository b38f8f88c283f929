import { TILE_SIZE, type ChunkOutput, type ChunkTask, type CustomJob, type JobSpec } from '$lib/protocol/swarm-jobs';

/** A custom job's chunks are the inputs its split() produced on the owner's dashboard, in that order. */
export function customTasks(job: CustomJob): ChunkTask[] {
	return job.chunks.map((input) => ({ kind: 'custom', input, timeLimitMs: job.timeLimitMs }));
}

/** Splits a validated job into the chunks devices compute, in the order they should be handed out. */
export function splitJob(spec: JobSpec): ChunkTask[] {
	if (spec.kind === 'primes') {
		const tasks: ChunkTask[] = [];
		for (let lo = spec.lo; lo < spec.hi; lo += spec.chunkSize) {
			tasks.push({ kind: 'primes', lo, hi: Math.min(spec.hi, lo + spec.chunkSize) });
		}
		return tasks;
	}
	const tasks: ChunkTask[] = [];
	// Rows from the centre outwards would look nicer; top-down keeps the order obvious in the log.
	for (let y = 0; y < spec.height; y += TILE_SIZE) {
		for (let x = 0; x < spec.width; x += TILE_SIZE) {
			tasks.push({
				kind: 'mandelbrot',
				x,
				y,
				w: Math.min(TILE_SIZE, spec.width - x),
				h: Math.min(TILE_SIZE, spec.height - y),
				width: spec.width,
				height: spec.height,
				centerX: spec.centerX,
				centerY: spec.centerY,
				scale: spec.scale,
				maxIter: spec.maxIter
			});
		}
	}
	return tasks;
}

/**
 * Checks that an answer has the shape its chunk implies (right kind, count within the range size, one
 * byte per tile pixel). It cannot prove the arithmetic; see the README's limits on untrusted devices.
 */
export function outputProblem(task: ChunkTask, output: ChunkOutput): string | null {
	if (task.kind !== output.kind) return `This chunk needs a ${task.kind} result.`;
	if (task.kind === 'primes' && output.kind === 'primes') {
		return output.count <= task.hi - task.lo ? null : 'More primes than numbers in the range.';
	}
	if (task.kind === 'mandelbrot' && output.kind === 'mandelbrot') {
		return base64ByteLength(output.pixels) === task.w * task.h
			? null
			: `A ${task.w}×${task.h} tile needs ${task.w * task.h} bytes.`;
	}
	// A custom result's shape is the job's business (its size was bounded by the schema); the vote checks it.
	if (task.kind === 'custom' && output.kind === 'custom') return null;
	return 'Unknown chunk kind.';
}

/** How much a chunk adds to the job's numeric answer (prime counts sum; tiles add nothing). */
export function answerContribution(output: ChunkOutput): number {
	return output.kind === 'primes' ? output.count : 0;
}

function base64ByteLength(text: string): number {
	const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
	return (text.length / 4) * 3 - padding;
}
