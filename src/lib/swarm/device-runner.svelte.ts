import { WebSocket as ReconnectingSocket } from 'partysocket';
import {
	DEVICE_REPLACED_CLOSE,
	DEVICE_REVOKED_CLOSE,
	HEARTBEAT_INTERVAL_MS,
	type AssignedChunk,
	type DeviceMessage,
	type DeviceServerMessage
} from '$lib/protocol/swarm';
import type { WorkerReply, WorkerRequest, WorkerTask } from './compute.worker';

/** Close codes after which reconnecting is pointless: revoked/left, or replaced by another tab. */
const FINAL_CLOSE_CODES = new Set([DEVICE_REVOKED_CLOSE, DEVICE_REPLACED_CLOSE]);

export type RunnerStatus = 'connecting' | 'benchmarking' | 'idle' | 'working' | 'reconnecting' | 'stopped';

/**
 * The device side of a swarm in the browser: a reconnecting socket (partysocket), a Web Worker that runs
 * the benchmark and chunks one at a time, and runes state for the device page.
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

	private readonly socket: ReconnectingSocket;
	private readonly worker: Worker;
	private queue: AssignedChunk[] = [];
	private busy = false;
	private nextId = 1;
	// Worker callbacks, not UI state.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private pending = new Map<number, (reply: WorkerReply) => void>();
	private heartbeat: ReturnType<typeof setInterval>;

	constructor(swarmId: string) {
		// Vite's worker pattern needs a literal `new URL(..., import.meta.url)`, not a reactive URL.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		this.worker = new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module' });
		this.worker.onmessage = (event: MessageEvent<WorkerReply>) => this.onWorker(event.data);
		const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
		this.socket = new ReconnectingSocket(`${protocol}//${location.host}/swarm/${swarmId}/device/ws`);
		this.socket.addEventListener('message', (event: MessageEvent<string>) => {
			if (event.data !== 'pong') this.onFrame(JSON.parse(event.data) as DeviceServerMessage);
		});
		this.socket.addEventListener('close', (event: CloseEvent) => {
			if (FINAL_CLOSE_CODES.has(event.code)) this.stop(event.reason || 'Disconnected by the swarm.');
			else if (this.status !== 'stopped') this.status = 'reconnecting';
		});
		// The runtime answers "ping" with "pong" without waking the coordinator.
		this.heartbeat = setInterval(() => {
			if (this.socket.readyState === WebSocket.OPEN) this.socket.send('ping');
		}, HEARTBEAT_INTERVAL_MS);
	}

	benchmark() {
		this.status = 'benchmarking';
		this.run({ kind: 'benchmark' }, (reply) => {
			if (reply.kind !== 'benchmark') return;
			this.score = reply.score;
			this.sendMessage({ type: 'benchmark', score: reply.score });
			this.status = this.busy ? 'working' : 'idle';
		});
	}

	stop(reason: string) {
		this.status = 'stopped';
		this.stoppedReason = reason;
		clearInterval(this.heartbeat);
		this.socket.close();
		this.worker.terminate();
		this.queue = [];
		this.current = null;
	}

	private onFrame(message: DeviceServerMessage) {
		switch (message.type) {
			case 'welcome':
				this.deviceId = message.deviceId;
				this.name = message.name;
				this.swarmName = message.swarmName;
				this.score = message.score;
				this.status = this.busy ? 'working' : 'idle';
				// A (re)connect: the server re-sends every chunk it still assigns to this device, so anything
				// queued from before may have been reassigned meanwhile; drop it rather than compute stale work.
				this.queue = [];
				this.queued = 0;
				if (message.needsBenchmark) this.benchmark();
				break;
			case 'assign':
				for (const chunk of message.chunks) {
					// A reconnect re-sends held chunks; keep one copy.
					const known = this.queue.some((c) => same(c, chunk)) || (this.current && same(this.current, chunk));
					if (!known) this.queue.push(chunk);
				}
				this.queued = this.queue.length;
				this.pump();
				break;
			case 'drop':
				this.queue = this.queue.filter((c) => !message.chunks.some((d) => same(c, d)));
				this.queued = this.queue.length;
				break;
			case 'accepted':
				this.done = message.done;
				break;
			case 'error':
				// A late answer for a chunk that moved on is expected after a reconnect; anything else is shown.
				if (message.code !== 'not-assigned') this.lastError = message.message;
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
				this.sendMessage({ type: 'result', jobId: chunk.jobId, chunk: chunk.chunk, output: reply.output });
			else if (reply.kind === 'failed')
				this.sendMessage({ type: 'chunk-failed', jobId: chunk.jobId, chunk: chunk.chunk, error: reply.error });
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

	private sendMessage(message: DeviceMessage) {
		this.socket.send(JSON.stringify(message));
	}
}

function same(a: { jobId: string; chunk: number }, b: { jobId: string; chunk: number }) {
	return a.jobId === b.jobId && a.chunk === b.chunk;
}
