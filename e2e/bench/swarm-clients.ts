/**
 * bench:swarm's clients: simulated devices and an owner's dashboard speaking the swarm channel with the
 * real codec from Node, and the HTTP helpers the sections share (swarm.ts, swarm-deltas.ts).
 */
import { countPrimes } from '../../src/lib/swarm/compute/primes.ts';
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';
import { formPost } from './local-server.ts';

// The swarm channel, as in src/lib/protocol/swarm-channel.ts (swarmChannel): its protocol version and the
// type bytes used here. That module is not imported because Node's type stripping cannot resolve its
// extensionless imports; keep these in sync with it.
export const PROTOCOL_VERSION = 3;
export const T = {
	error: 0,
	// client → server
	benchmark: 1,
	result: 2,
	lending: 5,
	refresh: 17,
	// server → client
	welcome: 1,
	assign: 2,
	keyframe: 16,
	delta: 18
} as const;
/** A type byte no swarm client kind uses: answered with an `unknown-type` error frame (the round-trip baseline). */
export const UNKNOWN_TYPE = 99;
/** As COMPRESS_MIN_BYTES in src/lib/protocol/channel.ts. */
const COMPRESS_MIN_BYTES = 768;

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A codec frame of `payload` as JSON, compressed from COMPRESS_MIN_BYTES on, as both ends send them. */
export function frame(type: number, payload: unknown, seq = 0): Uint8Array {
	return jsonFrame(type, JSON.stringify(payload), seq);
}

export function jsonFrame(type: number, json: string, seq = 0): Uint8Array {
	const bytes = utf8.encode(json);
	return codec.encode(type, seq, bytes, { compress: bytes.byteLength >= COMPRESS_MIN_BYTES });
}

export interface Frame {
	type: number;
	seq: number;
	/** On the wire. */
	bytes: number;
	/** Of the payload's JSON text. */
	jsonBytes: number;
	payload: unknown;
	/** performance.now() when it arrived. */
	at: number;
}

function read(data: ArrayBuffer): Frame {
	const decoded = codec.decode(data);
	return {
		type: decoded.type,
		seq: decoded.seq,
		bytes: data.byteLength,
		jsonBytes: decoded.payload.byteLength,
		payload: JSON.parse(utf8Decoder.decode(decoded.payload)),
		at: performance.now()
	};
}

export interface Endpoint {
	wsBase: string;
	origin: string;
}

type HeldChunk = { jobId: string; chunk: number; task: { lo: number; hi: number } };

/**
 * A device that heartbeats like the browser and computes prime-count chunks. It answers each assign at
 * once, or, with `hold`, keeps the chunks until `answerHeld()` (the deltas section decides who works when).
 */
export class Device {
	welcomed = false;
	/** What the heartbeat sends: the auto-response text, or (the control) anything else. */
	heartbeat = 'ping';
	hold = false;
	/** Chunks it was assigned so far. */
	assigned = 0;
	private held: HeldChunk[] = [];
	private timer?: ReturnType<typeof setInterval>;
	readonly ws: WebSocket;
	constructor(ws: WebSocket, heartbeatMs: number) {
		this.ws = ws;
		// Staggered like devices that opened their pages at different moments.
		const first = setTimeout(() => {
			this.beat();
			this.timer = setInterval(() => this.beat(), heartbeatMs);
		}, Math.random() * heartbeatMs);
		ws.addEventListener('close', () => {
			clearTimeout(first);
			clearInterval(this.timer);
		});
	}

	private beat() {
		if (this.ws.readyState === WebSocket.OPEN) this.ws.send(this.heartbeat);
	}

	benchmark(score: number) {
		this.ws.send(frame(T.benchmark, { score }));
	}

	/** Sends the result of every chunk held; answers how many. */
	answerHeld(): number {
		const chunks = this.held.splice(0);
		for (const c of chunks) this.answer(c);
		return chunks.length;
	}

	private answer(c: HeldChunk) {
		const started = performance.now();
		const count = countPrimes(c.task.lo, c.task.hi);
		const cpuMs = Math.max(1, Math.round(performance.now() - started));
		this.ws.send(frame(T.result, { jobId: c.jobId, chunk: c.chunk, output: { kind: 'primes', count }, cpuMs }));
	}

	static async connect(
		endpoint: Endpoint,
		swarmId: string,
		credential: string,
		score: number,
		heartbeatMs: number
	): Promise<Device> {
		const ws = new WebSocket(`${endpoint.wsBase}/swarm/${swarmId}/device/ws?v=${PROTOCOL_VERSION}`, {
			headers: { cookie: `murmur_device=${credential}`, origin: endpoint.origin }
		} as never);
		ws.binaryType = 'arraybuffer';
		const device = new Device(ws, heartbeatMs);
		await new Promise<void>((resolve, reject) => {
			ws.onerror = () => reject(new Error('device socket failed'));
			ws.onclose = (event) => reject(new Error(`device socket closed: ${event.code} ${event.reason}`));
			ws.onmessage = (event) => {
				if (event.data === 'pong') return;
				const message = read(event.data as ArrayBuffer);
				if (message.type === T.welcome) {
					device.welcomed = true;
					ws.send(frame(T.benchmark, { score }));
					resolve();
				} else if (message.type === T.assign) {
					const { chunks } = message.payload as { chunks: HeldChunk[] };
					device.assigned += chunks.length;
					if (device.hold) device.held.push(...chunks);
					else chunks.forEach((c) => device.answer(c));
				}
			};
		});
		return device;
	}
}

/** The owner's dashboard socket: every frame it gets, decoded, with its size on the wire and as JSON. */
export class Dashboard {
	private frames: Frame[] = [];
	private wake: (() => void) | null = null;
	/** Called with every frame as it arrives (besides queueing it for `next`). */
	onFrame: ((frame: Frame) => void) | null = null;
	readonly ws: WebSocket;
	constructor(ws: WebSocket) {
		this.ws = ws;
		ws.onmessage = (event) => {
			if (event.data === 'pong') return;
			const frame = read(event.data as ArrayBuffer);
			this.onFrame?.(frame);
			this.frames.push(frame);
			this.wake?.();
		};
	}

	static async connect(endpoint: Endpoint, swarmId: string, cookie: string) {
		const ws = new WebSocket(`${endpoint.wsBase}/swarm/${swarmId}/ws?v=${PROTOCOL_VERSION}`, {
			headers: { cookie, origin: endpoint.origin }
		} as never);
		ws.binaryType = 'arraybuffer';
		// Listening from the start: the first frame (the full snapshot) may arrive right after open.
		const dashboard = new Dashboard(ws);
		await new Promise((resolve, reject) => {
			ws.onopen = resolve;
			ws.onerror = () => reject(new Error('dashboard socket failed'));
		});
		return dashboard;
	}

	async next(match: (frame: Frame) => boolean): Promise<Frame> {
		for (;;) {
			const i = this.frames.findIndex(match);
			if (i >= 0) return this.frames.splice(i, 1)[0];
			await new Promise<void>((resolve) => (this.wake = resolve));
		}
	}

	/** Forgets queued frames. */
	clear() {
		this.frames = [];
	}

	/** Milliseconds from sending `request` to the reply matching `match` (queued older frames dropped). */
	async time(request: Uint8Array, match: (reply: Frame) => boolean): Promise<number> {
		this.frames = [];
		const started = performance.now();
		this.ws.send(request);
		await this.next(match);
		return performance.now() - started;
	}
}

// ---- HTTP helpers ------------------------------------------------------------------------------------

/** The REST side of one local server, for one origin. */
export class SwarmApi {
	readonly base: string;
	constructor(base: string) {
		this.base = base;
	}

	async createSwarm(cookie: string): Promise<string> {
		const res = await formPost(this.base, '/swarm?/create', { name: 'Bench swarm' }, cookie);
		const location = res.headers.get('location') ?? '';
		const match = /\/swarm\/([a-f0-9]{32})$/.exec(location);
		if (!match) throw new Error(`create swarm failed: ${res.status} ${location}`);
		return match[1];
	}

	async post<T>(path: string, cookie: string, body: unknown): Promise<T> {
		const res = await fetch(`${this.base}${path}`, {
			method: 'POST',
			headers: { origin: this.base, cookie, accept: 'application/json', 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
		if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
		return (await res.json()) as T;
	}

	async get<T>(path: string, cookie: string): Promise<T> {
		const res = await fetch(`${this.base}${path}`, { headers: { cookie, accept: 'application/json' } });
		if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
		return (await res.json()) as T;
	}
}

export interface Stats {
	counters: Record<string, number>;
}

export async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>) {
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) await work(next++);
		})
	);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
export const ms = (x: number) => `${Math.max(0, x).toFixed(1)} ms`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
