import type { ServerMessage } from '$lib/protocol/channel';
import { swarmChannel, type AssignedChunk, type SwarmChannel } from '$lib/protocol/swarm-channel';
import { openChannel, type ChannelHandle } from '$lib/realtime/open-channel.svelte';
import type { WorkerReply, WorkerRequest, WorkerTask } from './compute.worker';
import { JobSandbox } from './sandbox/job-sandbox';

/** What the device is doing; whether its socket is up is the channel's status (ConnectionBadge). */
export type RunnerStatus = 'connecting' | 'benchmarking' | 'idle' | 'working' | 'paused' | 'reconnecting' | 'stopped';

/** What the person lends: nothing while paused, else `slots` chunks at once (at most this device's cores). */
export interface Lending {
	paused: boolean;
	slots: number;
}

/**
 * The device side of a swarm in the browser: the swarm channel (openChannel: reconnects, heartbeat,
 * validated frames, final closes when the device left, was revoked or opened elsewhere), a Web Worker for
 * the benchmark and built-in chunks (one at a time), the job sandbox (sandbox/) for custom chunks (up to
 * `slots` at once, each in its own worker with no network and the job's time limit), and runes state for
 * the device page, including the person's lending (pause, core cap), kept per swarm in localStorage.
 */
export class DeviceRunner {
	status: RunnerStatus = $state('connecting');
	stoppedReason = $state('');
	deviceId = $state('');
	name = $state('');
	swarmName = $state('');
	score: number | null = $state(null);
	/** Chunks computing now (the first is `current`, the one the progress bar shows). */
	running: AssignedChunk[] = $state([]);
	progress = $state(0);
	done = $state(0);
	queued = $state(0);
	lastError = $state('');
	lending: Lending = $state({ paused: false, slots: 1 });
	readonly cores: number;
	/** The socket, once the codec has loaded. */
	channel: ChannelHandle<SwarmChannel> | null = $state(null);

	private readonly worker: Worker;
	private sandbox: JobSandbox | null = null;
	private queue: AssignedChunk[] = [];
	private builtinBusy = false;
	private nextId = 1;
	// Bookkeeping, not UI state.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private pending = new Map<number, (reply: WorkerReply) => void>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private code = new Map<string, { promise: Promise<string | null>; resolve: (code: string | null) => void }>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private aborts = new Map<string, AbortController>();

	constructor(private readonly swarmId: string) {
		this.cores = Math.max(1, navigator.hardwareConcurrency || 1);
		this.lending = loadLending(swarmId, this.cores);
		// Vite's worker pattern needs a literal `new URL(..., import.meta.url)`, not a reactive URL.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		this.worker = new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module' });
		this.worker.onmessage = (event: MessageEvent<WorkerReply>) => this.onWorker(event.data);
		openChannel({
			channel: swarmChannel,
			path: () => `/swarm/${swarmId}/device/ws`,
			onMessage: (message) => this.onFrame(message),
			onClose: ({ reason, final }) => {
				// Final: left, revoked, or this device opened elsewhere; reconnecting cannot help.
				if (final) this.stop(reason || 'Disconnected by the swarm.');
				else if (this.status !== 'stopped') this.status = 'reconnecting';
			},
			onInvalid: (error) => (this.lastError = error.message)
		}).then((handle) => {
			if (this.status === 'stopped') handle.close();
			else this.channel = handle;
		});
	}

	get current(): AssignedChunk | null {
		return this.running[0] ?? null;
	}

	benchmark() {
		this.status = 'benchmarking';
		this.compute({ kind: 'benchmark' }, (reply) => {
			if (reply.kind !== 'benchmark') return;
			this.score = reply.score;
			this.channel?.send('benchmark', { score: reply.score });
			this.status = 'idle';
			this.settle();
			this.pump();
		});
	}

	/** Pause or resume lending, or cap it to `slots` chunks at once. Pausing stops the chunks running now. */
	setLending(lending: Lending) {
		this.lending = { paused: lending.paused, slots: Math.min(this.cores, Math.max(1, Math.round(lending.slots))) };
		localStorage.setItem(lendingKey(this.swarmId), JSON.stringify(this.lending));
		if (this.lending.paused) {
			// The coordinator puts every chunk this device holds back in the queue.
			this.queue = [];
			this.queued = 0;
			for (const abort of this.aborts.values()) abort.abort();
		}
		this.channel?.send('lending', this.lending);
		this.settle();
		this.pump();
	}

	stop(reason: string) {
		this.status = 'stopped';
		this.stoppedReason = reason;
		this.channel?.close();
		this.worker.terminate();
		this.sandbox?.destroy();
		this.queue = [];
		this.running = [];
	}

	private onFrame({ type, payload }: ServerMessage<SwarmChannel>) {
		switch (type) {
			case 'welcome':
				this.deviceId = payload.deviceId;
				this.name = payload.name;
				this.swarmName = payload.swarmName;
				this.score = payload.score;
				// A (re)connect: the server re-sends every chunk it still assigns to this device, so anything
				// queued from before may have been reassigned meanwhile; drop it rather than compute stale work.
				this.queue = [];
				this.queued = 0;
				this.channel?.send('lending', this.lending);
				this.settle();
				if (payload.needsBenchmark) this.benchmark();
				break;
			case 'assign':
				for (const chunk of payload.chunks) {
					// A reconnect re-sends held chunks; keep one copy.
					const known = this.queue.some((c) => same(c, chunk)) || this.running.some((c) => same(c, chunk));
					if (!known) this.queue.push(chunk);
				}
				this.queued = this.queue.length;
				this.pump();
				break;
			case 'drop':
				this.queue = this.queue.filter((c) => !payload.chunks.some((d) => same(c, d)));
				this.queued = this.queue.length;
				// A dropped custom chunk that is running is stopped (its job was cancelled, or it was decided).
				for (const d of payload.chunks) this.aborts.get(key(d))?.abort();
				break;
			case 'job-code':
				this.code.get(payload.jobId)?.resolve(payload.code);
				break;
			case 'accepted':
				this.done = payload.done;
				break;
			case 'error':
				// The module of a job this device no longer holds chunks of: its chunk fails below.
				if (payload.code === 'no-job') for (const wait of this.code.values()) wait.resolve(null);
				// A late answer for a chunk that moved on is expected after a reconnect; anything else is shown.
				else if (payload.code !== 'not-assigned') this.lastError = payload.message;
				break;
		}
	}

	/** Starts queued chunks while slots are free: built-in ones one at a time, custom ones in the sandbox. */
	private pump() {
		if (this.status === 'stopped' || this.status === 'benchmarking' || this.lending.paused) return;
		while (this.running.length < this.lending.slots) {
			const index = this.queue.findIndex((c) => c.task.kind === 'custom' || !this.builtinBusy);
			if (index < 0) break;
			const [chunk] = this.queue.splice(index, 1);
			this.running = [...this.running, chunk];
			if (chunk.task.kind === 'custom') void this.runCustom(chunk);
			else this.runBuiltin(chunk);
		}
		this.queued = this.queue.length;
		this.settle();
	}

	private runBuiltin(chunk: AssignedChunk) {
		this.builtinBusy = true;
		this.progress = 0;
		this.compute({ kind: 'chunk', task: chunk.task }, (reply) => {
			this.builtinBusy = false;
			if (reply.kind === 'result') this.report(chunk, { kind: 'result', output: reply.output, cpuMs: reply.ms });
			else if (reply.kind === 'failed') this.report(chunk, { kind: 'failed', error: reply.error });
		});
	}

	private async runCustom(chunk: AssignedChunk) {
		if (chunk.task.kind !== 'custom') return;
		const abort = new AbortController();
		this.aborts.set(key(chunk), abort);
		const code = await this.moduleOf(chunk.jobId);
		this.sandbox ??= new JobSandbox();
		const answer = code
			? await this.sandbox.call(code, 'run', [chunk.task.input], chunk.task.timeLimitMs, abort.signal)
			: ({ ok: false, error: 'The job is gone.', timedOut: false } as const);
		this.aborts.delete(key(chunk));
		// Dropped or paused: the coordinator no longer wants an answer.
		if (abort.signal.aborted) return this.report(chunk, null);
		if (answer.ok)
			this.report(chunk, { kind: 'result', output: { kind: 'custom', value: answer.value }, cpuMs: answer.cpuMs });
		else
			this.report(chunk, {
				kind: 'failed',
				error: answer.timedOut ? `Timed out: ${answer.error}` : answer.error
			});
	}

	private report(
		chunk: AssignedChunk,
		outcome:
			| { kind: 'result'; output: Extract<WorkerReply, { kind: 'result' }>['output']; cpuMs: number }
			| { kind: 'failed'; error: string }
			| null
	) {
		this.running = this.running.filter((c) => !same(c, chunk));
		if (outcome?.kind === 'result') {
			const cpuMs = Math.min(Math.round(outcome.cpuMs), 600_000);
			this.channel?.send('result', { jobId: chunk.jobId, chunk: chunk.chunk, output: outcome.output, cpuMs });
		} else if (outcome?.kind === 'failed') {
			this.channel?.send('chunk-failed', {
				jobId: chunk.jobId,
				chunk: chunk.chunk,
				error: outcome.error.slice(0, 200)
			});
		}
		this.pump();
	}

	/** A custom job's module, asked of the coordinator once per job. */
	private moduleOf(jobId: string): Promise<string | null> {
		let entry = this.code.get(jobId);
		if (!entry) {
			let resolve!: (code: string | null) => void;
			const promise = new Promise<string | null>((r) => (resolve = r));
			entry = { promise, resolve };
			this.code.set(jobId, entry);
			if (!this.channel?.send('job-code', { jobId })) resolve(null);
			// A job that is gone is asked again if it ever comes back (it cannot: ids are random).
			void promise.then((code) => code === null && this.code.delete(jobId));
		}
		return entry.promise;
	}

	private settle() {
		if (this.status === 'stopped' || this.status === 'benchmarking') return;
		this.status = this.lending.paused ? 'paused' : this.running.length > 0 ? 'working' : 'idle';
	}

	private compute(request: WorkerTask, done: (reply: WorkerReply) => void) {
		const id = this.nextId++;
		this.pending.set(id, done);
		this.worker.postMessage({ ...request, id } as WorkerRequest);
	}

	private onWorker(reply: WorkerReply) {
		if (reply.kind === 'progress') {
			this.progress = reply.fraction;
			return;
		}
		const done = this.pending.get(reply.id);
		this.pending.delete(reply.id);
		done?.(reply);
		this.pump();
	}
}

function same(a: { jobId: string; chunk: number }, b: { jobId: string; chunk: number }) {
	return a.jobId === b.jobId && a.chunk === b.chunk;
}

const key = (c: { jobId: string; chunk: number }) => `${c.jobId}/${c.chunk}`;
const lendingKey = (swarmId: string) => `murmur.swarm.${swarmId}.lending`;

function loadLending(swarmId: string, cores: number): Lending {
	try {
		const saved = JSON.parse(localStorage.getItem(lendingKey(swarmId)) ?? 'null') as Partial<Lending> | null;
		const slots = Number(saved?.slots);
		return {
			paused: saved?.paused === true,
			slots: Number.isInteger(slots) ? Math.min(cores, Math.max(1, slots)) : 1
		};
	} catch {
		return { paused: false, slots: 1 };
	}
}
