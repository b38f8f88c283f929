import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { ServerKind, ServerMessage, ServerMessageOf } from '$lib/protocol/channel';
import type { Capabilities } from '$lib/protocol/swarm';
import type { DeltaPayload } from '$lib/protocol/swarm-dashboard';
import { swarmChannel, type AssignedChunk, type SwarmChannel } from '$lib/protocol/swarm-channel';
import type { ChunkOutput, ChunkTask } from '$lib/protocol/swarm-jobs';
import { getDb } from '$lib/server/db';
import { createSwarm } from '$lib/server/swarm/directory';
import { bytesToBase64, renderTile } from '$lib/swarm/compute/mandelbrot';
import { countPrimes } from '$lib/swarm/compute/primes';
import { DashboardStream, emptyModel, type DashboardModel, type Outcome } from '$lib/swarm/dashboard-stream';
import { openChannelSocket, ORIGIN, upgrade } from './channel-socket';
import { signedInUser } from './users';

export { ORIGIN };

/**
 * Test support for the swarm: real HTTP routes and real WebSockets through the whole worker
 * (`exports.default.fetch`) speaking the swarm channel with the real codec (channel-socket.ts), and
 * simulated devices that compute chunks with the same kernels as the browser's Web Worker.
 */
export async function request(path: string, init: RequestInit & { cookie?: string } = {}) {
	const headers = new Headers(init.headers);
	headers.set('origin', ORIGIN);
	headers.set('accept', 'application/json');
	if (init.cookie) headers.set('cookie', init.cookie);
	if (init.body) headers.set('content-type', 'application/json');
	return exports.default.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }));
}

/** A signed-in owner with a fresh swarm (D1 row + initialised coordinator). */
export async function ownerWithSwarm(name = 'Test swarm') {
	const owner = await signedInUser(env);
	const swarm = await createSwarm(getDb(env), env, owner.user.id, name);
	if ('error' in swarm) throw new Error(swarm.error);
	return { owner, swarmId: swarm.id, stub: env.SWARM_COORDINATOR.get(env.SWARM_COORDINATOR.idFromName(swarm.id)) };
}

export async function createInvite(swarmId: string, cookie: string, maxUses: number | null = null) {
	const res = await request(`/api/swarm/${swarmId}/tokens`, {
		method: 'POST',
		cookie,
		body: JSON.stringify({ maxUses })
	});
	if (res.status !== 201) throw new Error(`invite: ${res.status} ${await res.text()}`);
	return (await res.json()) as { id: string; token: string; expiresAt: number };
}

export function caps(name: string, extra: Partial<Capabilities> = {}): Capabilities {
	return { name, cores: 4, memoryGb: 8, gpu: null, userAgent: 'vitest', ...extra };
}

export async function joinDevice(swarmId: string, token: string, name: string) {
	const res = await request(`/swarm/${swarmId}/device/join`, {
		method: 'POST',
		body: JSON.stringify({ token, capabilities: caps(name) })
	});
	if (res.status !== 201) throw new Error(`join: ${res.status} ${await res.text()}`);
	const body = (await res.json()) as { deviceId: string; credential: string };
	return { ...body, cookie: `murmur_device=${body.credential}` };
}

export type SwarmMessage = ServerMessage<SwarmChannel>;
type Kind = ServerKind<SwarmChannel> | 'error';
type Of<T extends Kind> = ServerMessageOf<SwarmChannel, T>;

/**
 * A swarm socket speaking the channel contract (openChannelSocket: every frame decoded and validated as
 * the browser does), plus a queue tests take frames from: `take` removes the first matching frame, and
 * `received` holds what has not been taken.
 */
export async function openSwarmSocket(path: string, cookie: string | null) {
	const socket = await openChannelSocket(swarmChannel, path, { cookie });
	const received: SwarmMessage[] = [];
	const waiters: (() => void)[] = [];
	let copied = 0;
	// Registered after openChannelSocket's own listener, so each frame is already decoded into `messages`.
	const wakeAll = () => {
		while (copied < socket.messages.length) received.push(socket.messages[copied++]);
		waiters.splice(0).forEach((wake) => wake());
	};
	wakeAll();
	socket.ws.addEventListener('message', wakeAll);
	socket.ws.addEventListener('close', wakeAll);

	/** Resolves with (and removes) the first queued frame of `type` matching `match`. */
	async function take<T extends Kind>(type: T, match: (m: Of<T>) => boolean = () => true, timeoutMs = 5_000) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const index = received.findIndex((m) => m.type === type && match(m as Of<T>));
			if (index >= 0) return received.splice(index, 1)[0] as Of<T>;
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`no ${type} frame; have ${JSON.stringify(received).slice(0, 300)}`);
			await new Promise<void>((resolve) => {
				waiters.push(resolve);
				setTimeout(resolve, Math.min(left, 100));
			});
		}
	}
	/** Resolves once at least `count` heartbeat answers have arrived. */
	async function pong(count = 1, timeoutMs = 5_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (socket.pongs() < count) {
			if (Date.now() > deadline) throw new Error(`no pong; have ${socket.pongs()}`);
			await new Promise<void>((resolve) => {
				waiters.push(resolve);
				setTimeout(resolve, 100);
			});
		}
	}
	const { ws, wire, raw, send, closed, messages } = socket;
	return { ws, wire, raw, send, closed, messages, received, take, pong };
}
export type SwarmSocket = Awaited<ReturnType<typeof openSwarmSocket>>;

/** An upgrade of a swarm socket through the whole worker, speaking this deploy's protocol version. */
export function openSocket(path: string, cookie: string | null) {
	return upgrade(swarmChannel, path, { cookie });
}

export function connectDevice(swarmId: string, cookie: string) {
	return openSwarmSocket(`/swarm/${swarmId}/device/ws`, cookie);
}

export function connectDashboard(swarmId: string, cookie: string) {
	return openSwarmSocket(`/swarm/${swarmId}/ws`, cookie);
}

/** One stream frame a streamed dashboard got, and what its reducer made of it ('dropped': the test lost it). */
export interface StreamEvent {
	type: 'keyframe' | 'delta';
	tick: number;
	/** The request it answers (0: a broadcast). */
	seq: number;
	outcome: Outcome | 'dropped';
}

/**
 * The owner's dashboard as the browser keeps it: a real dashboard socket whose every keyframe and delta goes
 * through the browser's reducer (DashboardStream) as it arrives, which asks for a keyframe on this socket
 * when it sees a gap. `lose(match)` makes the next delta that matches go missing before the reducer sees it.
 */
export async function streamDashboard(swarmId: string, cookie: string) {
	const socket = await connectDashboard(swarmId, cookie);
	const model: DashboardModel = emptyModel();
	const events: StreamEvent[] = [];
	const refreshes: number[] = [];
	const stream = new DashboardStream(model, () => refreshes.push(socket.send('refresh', {})));
	let losing: ((delta: DeltaPayload) => boolean) | null = null;
	let seen = 0;
	const feed = () => {
		while (seen < socket.messages.length) {
			const message = socket.messages[seen++];
			if (message.type !== 'keyframe' && message.type !== 'delta') continue;
			const { type, seq, payload } = message;
			let outcome: StreamEvent['outcome'];
			if (type === 'keyframe') outcome = stream.keyframe(payload);
			else if (losing?.(payload)) {
				losing = null;
				outcome = 'dropped';
			} else outcome = stream.delta(payload);
			events.push({ type, tick: payload.tick, seq, outcome });
		}
	};
	// After openChannelSocket's own listener, so each frame is already decoded into `messages`.
	socket.ws.addEventListener('message', feed);
	feed();
	return {
		socket,
		model,
		stream,
		events,
		refreshes,
		lose: (match: (delta: DeltaPayload) => boolean) => void (losing = match),
		/** Resolves once the reducer holds a whole keyframe (the one every new socket gets first). */
		ready: async () => {
			for (let i = 0; stream.position === null; i++) {
				if (i > 100) throw new Error('no keyframe arrived');
				await sleep(20);
			}
		}
	};
}
export type StreamedDashboard = Awaited<ReturnType<typeof streamDashboard>>;

/** A model in a form `toEqual` compares: devices sorted by id (a Map's order is how they arrived). */
export function comparable(model: DashboardModel) {
	const devices = [...model.devices.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
	return { ...model, devices };
}

/** The frame `processed` sends: text, not a codec frame, so the coordinator answers `bad-frame` and changes nothing. */
const MARKER_FRAME = 'processed?';

/**
 * Resolves once the coordinator has handled every frame sent on this socket before, and every frame it sent
 * to this socket before that has arrived in `received`. An absence check ("no assign came") means something
 * only after this: a Durable Object handles one socket's messages in order and a socket delivers its frames in
 * order, so the answer to a marker frame comes after all of them. An event that did not come through this
 * socket (an RPC, a REST call, the alarm) must have returned before this is called.
 */
export async function processed(socket: Pick<SwarmSocket, 'ws' | 'take'>): Promise<void> {
	socket.ws.send(MARKER_FRAME);
	await socket.take('error', (m) => m.payload.code === 'bad-frame' && m.seq === 0);
}

type CoordinatorStub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

/** Submits a job through the owner's REST route; answers the status and the parsed body. */
export async function submit(swarmId: string, cookie: string, spec: unknown) {
	const res = await request(`/api/swarm/${swarmId}/jobs`, { method: 'POST', cookie, body: JSON.stringify(spec) });
	return {
		status: res.status,
		body: (await res.json()) as { jobId: string; chunks: number; error?: { code: string; message: string } }
	};
}

/** A connected, benchmarked device that does not answer (the test drives it by hand). */
export async function manualDevice(swarmId: string, token: string, name: string, score: number) {
	const joined = await joinDevice(swarmId, token, name);
	const socket = await connectDevice(swarmId, joined.cookie);
	await socket.take('welcome');
	socket.send('benchmark', { score });
	return { ...joined, socket };
}

/** Collects `assign` frames until at least `count` chunks have arrived. */
export async function assigned(socket: SwarmSocket, count: number) {
	const chunks: AssignedChunk[] = [];
	while (chunks.length < count) chunks.push(...(await socket.take('assign')).payload.chunks);
	return chunks;
}

/** Runs `query` on the coordinator's own SQLite, inside the object. */
export function coordinatorSql<T>(stub: CoordinatorStub, query: (sql: SqlStorage) => T): Promise<T> {
	return runInDurableObject(stub, (_instance: unknown, state) => query(state.storage.sql));
}

/**
 * A simulated device's answer: built-in chunks with the browser's own kernels; a custom chunk with `run`,
 * the test's native stand-in for the job module (workerd cannot evaluate job code, and the server never does).
 */
export function compute(task: ChunkTask, run: CustomRun = noCustomRun): ChunkOutput {
	if (task.kind === 'primes') return { kind: 'primes', count: countPrimes(task.lo, task.hi) };
	if (task.kind === 'custom') return { kind: 'custom', value: run(task.input) };
	return { kind: 'mandelbrot', pixels: bytesToBase64(renderTile(task)) };
}

export type CustomRun = (input: unknown) => unknown;
const noCustomRun: CustomRun = () => {
	throw new Error('This simulated device was given no run() for custom chunks.');
};

export function sleep(ms: number) {
	return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/**
 * A device that answers every chunk it is assigned with the real computation, as the browser would,
 * optionally after a delay; custom chunks with `run` (a liar's `run` returns wrong results). `stop()` drops
 * the connection mid-work (the drop-out case).
 */
export class SimDevice {
	done = 0;
	errors: string[] = [];
	/** Every chunk it was handed, as "jobId/chunk", and every one it was told to drop. */
	assigned: string[] = [];
	dropped: string[] = [];
	private seen = 0;
	private stopped = false;
	private constructor(
		readonly deviceId: string,
		readonly socket: SwarmSocket
	) {}

	static async start(swarmId: string, token: string, name: string, score: number, delayMs = 0, run?: CustomRun) {
		const joined = await joinDevice(swarmId, token, name);
		const socket = await connectDevice(swarmId, joined.cookie);
		const device = new SimDevice(joined.deviceId, socket);
		socket.ws.addEventListener('message', () => {
			// openChannelSocket decoded the frame (if it was one) into `messages` just before this listener.
			while (device.seen < socket.messages.length) void device.onFrame(socket.messages[device.seen++], delayMs, run);
		});
		await socket.take('welcome');
		socket.send('benchmark', { score });
		return device;
	}

	stop() {
		this.stopped = true;
		this.socket.ws.close(1000, 'simulated drop-out');
	}

	private async onFrame(message: SwarmMessage, delayMs: number, run?: CustomRun) {
		if (message.type === 'error') this.errors.push(message.payload.code);
		if (message.type === 'drop') this.dropped.push(...message.payload.chunks.map((c) => `${c.jobId}/${c.chunk}`));
		if (message.type !== 'assign') return;
		for (const chunk of message.payload.chunks) {
			this.assigned.push(`${chunk.jobId}/${chunk.chunk}`);
			if (delayMs) await sleep(delayMs);
			if (this.stopped) return;
			this.socket.send('result', {
				jobId: chunk.jobId,
				chunk: chunk.chunk,
				output: compute(chunk.task, run),
				cpuMs: 1
			});
			this.done++;
		}
	}
}
