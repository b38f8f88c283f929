import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { Capabilities, DashboardServerMessage, DeviceServerMessage } from '$lib/protocol/swarm';
import type { ChunkOutput, ChunkTask } from '$lib/protocol/swarm-jobs';
import { getDb } from '$lib/server/db';
import { createSwarm } from '$lib/server/swarm/directory';
import { bytesToBase64, renderTile } from '$lib/swarm/compute/mandelbrot';
import { countPrimes } from '$lib/swarm/compute/primes';
import { signedInUser } from './users';

/**
 * Test support for the swarm: real HTTP routes and real WebSockets through the whole worker
 * (`exports.default.fetch`), and simulated devices that compute chunks with the same kernels as the
 * browser's Web Worker.
 */
export const ORIGIN = 'http://localhost:8787';

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

/** Accepts the client end of a socket and queues parsed frames so tests can await them. */
export function listen<M extends { type: string }>(ws: WebSocket) {
	const received: M[] = [];
	const waiters: (() => void)[] = [];
	let pongs = 0;
	ws.accept();
	ws.addEventListener('message', (event) => {
		// The runtime's heartbeat answer is the bare text "pong", not a protocol frame: counted, not queued.
		if (event.data === 'pong') {
			pongs++;
			waiters.splice(0).forEach((wake) => wake());
			return;
		}
		received.push(JSON.parse(event.data as string) as M);
		waiters.splice(0).forEach((wake) => wake());
	});
	const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
	/** Resolves with (and removes) the first queued frame matching `match`. */
	async function take(match: (m: M) => boolean = () => true, timeoutMs = 5_000): Promise<M> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const index = received.findIndex(match);
			if (index >= 0) return received.splice(index, 1)[0];
			if (Date.now() > deadline) throw new Error(`no matching frame; have ${JSON.stringify(received).slice(0, 300)}`);
			await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), sleep(100)]);
		}
	}
	/** Resolves once at least `count` heartbeat answers have arrived. */
	async function pong(count = 1, timeoutMs = 5_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (pongs < count) {
			if (Date.now() > deadline) throw new Error(`no pong; have ${pongs}`);
			await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), sleep(100)]);
		}
	}
	return {
		ws,
		received,
		take,
		pong,
		closed,
		send: (data: unknown) => ws.send(typeof data === 'string' ? data : JSON.stringify(data))
	};
}

export async function openSocket(path: string, cookie: string | null) {
	const headers: Record<string, string> = { Upgrade: 'websocket', origin: ORIGIN };
	if (cookie) headers.cookie = cookie;
	return exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers }));
}

export async function connectDevice(swarmId: string, cookie: string) {
	const res = await openSocket(`/swarm/${swarmId}/device/ws`, cookie);
	if (res.status !== 101) throw new Error(`device socket: ${res.status} ${await res.text()}`);
	return listen<DeviceServerMessage>(res.webSocket!);
}

export async function connectDashboard(swarmId: string, cookie: string) {
	const res = await openSocket(`/swarm/${swarmId}/ws`, cookie);
	if (res.status !== 101) throw new Error(`dashboard socket: ${res.status} ${await res.text()}`);
	return listen<DashboardServerMessage>(res.webSocket!);
}

/** The frame `processed` sends: not JSON, so the coordinator answers it with a `bad-frame` error and changes nothing. */
const MARKER_FRAME = 'processed?';

/**
 * Resolves once the coordinator has handled every frame sent on this socket before, and every frame it sent
 * to this socket before that has arrived in `received`. An absence check ("no assign came") means something
 * only after this: a Durable Object handles one socket's messages in order and a socket delivers its frames in
 * order, so the answer to a marker frame comes after all of them. An event that did not come through this
 * socket (an RPC, a REST call, the alarm) must have returned before this is called.
 */
export async function processed(socket: Pick<ReturnType<typeof listen>, 'send' | 'take'>): Promise<void> {
	socket.send(MARKER_FRAME);
	await socket.take((m) => m.type === 'error' && (m as { code?: string }).code === 'bad-frame');
}

type Assign = Extract<DeviceServerMessage, { type: 'assign' }>;
type DeviceSocket = Awaited<ReturnType<typeof connectDevice>>;
type CoordinatorStub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

/** Submits a job through the owner's REST route; answers the status and the parsed body. */
export async function submit(swarmId: string, cookie: string, spec: unknown) {
	const res = await request(`/api/swarm/${swarmId}/jobs`, { method: 'POST', cookie, body: JSON.stringify(spec) });
	return { status: res.status, body: (await res.json()) as { jobId: string; chunks: number; error?: string } };
}

/** A connected, benchmarked device that does not answer (the test drives it by hand). */
export async function manualDevice(swarmId: string, token: string, name: string, score: number) {
	const joined = await joinDevice(swarmId, token, name);
	const socket = await connectDevice(swarmId, joined.cookie);
	await socket.take((m) => m.type === 'welcome');
	socket.send({ type: 'benchmark', score });
	return { ...joined, socket };
}

/** Collects `assign` frames until at least `count` chunks have arrived. */
export async function assigned(socket: DeviceSocket, count: number) {
	const chunks: Assign['chunks'] = [];
	while (chunks.length < count) chunks.push(...((await socket.take((m) => m.type === 'assign')) as Assign).chunks);
	return chunks;
}

/** Runs `query` on the coordinator's own SQLite, inside the object. */
export function coordinatorSql<T>(stub: CoordinatorStub, query: (sql: SqlStorage) => T): Promise<T> {
	return runInDurableObject(stub, (_instance: unknown, state) => query(state.storage.sql));
}

export function compute(task: ChunkTask): ChunkOutput {
	if (task.kind === 'primes') return { kind: 'primes', count: countPrimes(task.lo, task.hi) };
	return { kind: 'mandelbrot', pixels: bytesToBase64(renderTile(task)) };
}

export function sleep(ms: number) {
	return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/**
 * A device that answers every chunk it is assigned with the real computation, as the browser would,
 * optionally after a delay. `stop()` drops the connection mid-work (the drop-out case).
 */
export class SimDevice {
	done = 0;
	errors: string[] = [];
	private stopped = false;
	private constructor(
		readonly deviceId: string,
		readonly socket: Awaited<ReturnType<typeof connectDevice>>
	) {}

	static async start(swarmId: string, token: string, name: string, score: number, delayMs = 0) {
		const joined = await joinDevice(swarmId, token, name);
		const socket = await connectDevice(swarmId, joined.cookie);
		const device = new SimDevice(joined.deviceId, socket);
		socket.ws.addEventListener('message', (event) => {
			if (event.data !== 'pong') void device.onFrame(JSON.parse(event.data as string), delayMs);
		});
		await socket.take((m) => m.type === 'welcome');
		socket.send({ type: 'benchmark', score });
		return device;
	}

	stop() {
		this.stopped = true;
		this.socket.ws.close(1000, 'simulated drop-out');
	}

	private async onFrame(message: DeviceServerMessage, delayMs: number) {
		if (message.type === 'error') this.errors.push(message.code);
		if (message.type !== 'assign') return;
		for (const chunk of message.chunks) {
			if (delayMs) await sleep(delayMs);
			if (this.stopped) return;
			this.socket.send({ type: 'result', jobId: chunk.jobId, chunk: chunk.chunk, output: compute(chunk.task) });
			this.done++;
		}
	}
}
