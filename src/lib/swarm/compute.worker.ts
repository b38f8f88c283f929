/// <reference lib="webworker" />
import type { ChunkOutput, ChunkTask } from '$lib/protocol/swarm-jobs';
import { runBenchmark } from './compute/benchmark';
import { bytesToBase64, renderTile } from './compute/mandelbrot';
import { countPrimes } from './compute/primes';

/**
 * The device's compute thread: chunks and the benchmark run here so the page stays responsive. One job
 * at a time; the page queues. Messages in: benchmark | chunk. Out: progress | result | failed.
 */
export type WorkerTask = { kind: 'benchmark' } | { kind: 'chunk'; task: ChunkTask };
export type WorkerRequest = WorkerTask & { id: number };
export type WorkerReply =
	| { id: number; kind: 'progress'; fraction: number }
	| { id: number; kind: 'benchmark'; score: number; ms: number }
	| { id: number; kind: 'result'; output: ChunkOutput; ms: number }
	| { id: number; kind: 'failed'; error: string };

const post = (reply: WorkerReply) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply);

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
	const request = event.data;
	const started = performance.now();
	const progress = (fraction: number) => post({ id: request.id, kind: 'progress', fraction });
	try {
		if (request.kind === 'benchmark') {
			const { score, ms } = runBenchmark();
			post({ id: request.id, kind: 'benchmark', score, ms });
			return;
		}
		const task = request.task;
		// Custom jobs never come here: they run in the sandbox (sandbox/), with no network and a time limit.
		if (task.kind === 'custom') throw new Error('Custom chunks run in the job sandbox.');
		const output: ChunkOutput =
			task.kind === 'primes'
				? { kind: 'primes', count: countPrimes(task.lo, task.hi, progress) }
				: { kind: 'mandelbrot', pixels: bytesToBase64(renderTile(task, progress)) };
		post({ id: request.id, kind: 'result', output, ms: performance.now() - started });
	} catch (error) {
		post({ id: request.id, kind: 'failed', error: String(error).slice(0, 200) });
	}
};
