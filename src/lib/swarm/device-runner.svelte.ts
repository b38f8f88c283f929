import type { ServerMessage } from '$lib/protocol/channel';
import { swarmChannel, type AssignedChunk, type SwarmChannel } from '$lib/protocol/swarm-channel';
import { openChannel, type ChannelHandle } from '$lib/realtime/open-channel.svelte';
import type { WorkerReply, WorkerRequest, WorkerTask } from './compute.worker';

/** What the device is doing; whether its socket is up is the channel's status (ConnectionBadge). */
export type RunnerStatus = 'connecting' | 'benchmarking' | 'idle' | 'working' | 'reconnecting' | 'stopped';

/**
 * The device side of a swarm in the browser: the swarm channel (openChannel: reconnects, heartbeat,
 * validated frames, final closes when the device left, was revoked or opened elsewhere), a Web Worker
 * that runs the benchmark and chunks one at a time, and runes state for the device page.
 */
export class DeviceRunner {
	status: RunnerStatus = $state('connecting');
	stoppedReason = $state('');
	deviceId = $state('');
	name = $state('');
	swarmName = $state('');
	score: number | null = $state(null);
	current: AssignedChunk | null = $state(null);
	progress = $state(0);
	done = $state(0);
	queued = $state(0);
	lastError = $state('');
	/** The socket, once the codec has loaded. */
	channel: ChannelHandle<SwarmChannel> | null = $state(null);

	private readonly worker: Worker;
	private queue: AssignedChunk[] = [];
	private busy = false;
	private nextId = 1;
	// Worker callbacks, not UI state.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private pending = new Map<number, (reply: WorkerReply) => void>();

	constructor(swarmId: string) {
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

	benchmark() {
		this.status = 'benchmarking';
		this.run({ kind: 'benchmark' }, (reply) => {
			if (reply.kind !== 'benchmark') return;
			this.score = reply.score;
			this.channel?.send('benchmark', { score: reply.score });
			this.status = this.busy ? 'working' : 'idle';
		});
	}

	stop(reason: string) {
		this.status = 'stopped';
		this.stoppedReason = reason;
		this.channel?.close();
		this.worker.terminate();
		this.queue = [];
		this.current = null;
	}

	private onFrame({ type, payload }: ServerMessage<SwarmChannel>) {
		switch (type) {
			case 'welcome':
				this.deviceId = payload.deviceId;
				this.name = payload.name;
				this.swarmName = payload.swarmName;
				this.score = payload.score;
				this.status = this.busy ? 'working' : 'idle';
				// A (re)connect: the server re-sends every chunk it still assigns to this device, so anything
				// queued from before may have been reassigned meanwhile; drop it rather than compute stale work.
				this.queue = [];
				this.queued = 0;
				if (payload.needsBenchmark) this.benchmark();
				break;
			case 'assign':
				for (const chunk of payload.chunks) {
					// A reconnect re-sends held chunks; keep one copy.
					const known = this.queue.some((c) => same(c, chunk)) || (this.current && same(this.current, chunk));
					if (!known) this.queue.push(chunk);
				}
				this.queued = this.queue.length;
				this.pump();
				break;
			case 'drop':
				this.queue = this.queue.filter((c) => !payload.chunks.some((d) => same(c, d)));
				this.queued = this.queue.length;
				break;
			case 'accepted':
				this.done = payload.done;
				break;
			case 'error':
				// A late answer for a chunk that moved on is expected after a reconnect; anything else is shown.
				if (payload.code !== 'not-assigned') this.lastError = payload.message;
				break;
		}
	}

	private pump() {
		if (this.busy || this.status === 'stopped' || this.status === 'benchmarking') return;
		const chunk = this.queue.shift();
		this.queued = this.queue.length;
		if (!chunk) {
			this.current = null;
			this.status = 'idle';
			return;
		}
		this.busy = true;
		this.current = chunk;
		this.progress = 0;
		this.status = 'working';
		this.run({ kind: 'chunk', task: chunk.task }, (reply) => {
			if (reply.kind === 'result')
				this.channel?.send('result', { jobId: chunk.jobId, chunk: chunk.chunk, output: reply.output });
			else if (reply.kind === 'failed')
				this.channel?.send('chunk-failed', { jobId: chunk.jobId, chunk: chunk.chunk, error: reply.error });
			this.busy = false;
			this.pump();
		});
	}

	private run(request: WorkerTask, done: (reply: WorkerReply) => void) {
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
		if (this.status === 'idle' || this.status === 'working') this.pump();
	}
}

function same(a: { jobId: string; chunk: number }, b: { jobId: string; chunk: number }) {
	return a.jobId === b.jobId && a.chunk === b.chunk;
}
