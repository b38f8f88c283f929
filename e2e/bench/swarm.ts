/**
 * npm run bench:swarm — 1,000 simulated devices in one swarm against the built worker under wrangler dev.
 * Prints: DO wake-ups (handler invocations) per device-hour under heartbeats (ping/pong auto-response,
 * and a control where each heartbeat is a message), the bytes of one full dashboard snapshot as the old
 * JSON text frame and as the codec frame it is now, time to build and send one full dashboard broadcast,
 * and chunk assignments per second while the devices work through a 5,000-chunk job (SWARM_BENCH_JOB_HI / 1,000),
 * and, measured first (before any device joins), the transpile latency of a custom job module, cold
 * against cached (swarm-transpile.ts).
 * BENCH_ONLY=transpile runs only that section (no devices).
 *
 * Then the verification section (swarm-verification.ts): a custom job at k = 1 and k = 2 with 100 devices.
 *
 * Env: SWARM_BENCH_PORT (default 8791), SWARM_BENCH_DEVICES (1000), SWARM_BENCH_HEARTBEAT_S (30),
 * SWARM_BENCH_ONLY (fleet | verification: one section).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { countPrimes } from '../../src/lib/swarm/compute/primes.ts';
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';
import { formPost, signUp, startLocalServer } from './local-server.ts';
import { transpileSection } from './swarm-transpile.ts';
import { benchVerification } from './swarm-verification.ts';

const PORT = Number(process.env.SWARM_BENCH_PORT ?? 8791);
const DEVICES = Number(process.env.SWARM_BENCH_DEVICES ?? 1000);
/** Heartbeat observation window; 30 s × 1,000 devices ≈ 8.3 device-hours. */
const HEARTBEAT_WINDOW_MS = Number(process.env.SWARM_BENCH_HEARTBEAT_S ?? 30) * 1000;
/** As the browser pings (PING_INTERVAL_MS in src/lib/protocol/heartbeat.ts). */
const HEARTBEAT_MS = 25_000;
/** π(5·10⁶) in 5,000 chunks of 1,000 numbers: tiny chunks, so the figure is the coordinator's, not the sieve's. */
const JOB_HI = Number(process.env.SWARM_BENCH_JOB_HI ?? 5_000_000);
const JOB = { kind: 'primes', lo: 0, hi: JOB_HI, chunkSize: 1_000 };
const JOB_ANSWER = countPrimes(0, JOB_HI);
const BASE = `http://127.0.0.1:${PORT}`;
const WS_BASE = `ws://127.0.0.1:${PORT}`;
const ORIGIN = BASE;

// The swarm channel, as in src/lib/protocol/swarm-channel.ts (swarmChannel): its protocol version and the
// type bytes used here. That module is not imported because Node's type stripping cannot resolve its
// extensionless imports; keep these in sync with it.
const PROTOCOL_VERSION = 2;
const T = {
	error: 0,
	// client → server
	benchmark: 1,
	result: 2,
	refresh: 17,
	// server → client
	welcome: 1,
	assign: 2,
	snapshot: 16
} as const;
/** A type byte no swarm client kind uses: answered with an `unknown-type` error frame (the round-trip baseline). */
const UNKNOWN_TYPE = 99;
/** As COMPRESS_MIN_BYTES in src/lib/protocol/channel.ts. */
const COMPRESS_MIN_BYTES = 768;

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function frame(type: number, payload: unknown, seq = 0): Uint8Array {
	const bytes = utf8.encode(JSON.stringify(payload));
	return codec.encode(type, seq, bytes, { compress: bytes.byteLength >= COMPRESS_MIN_BYTES });
}

interface Frame {
	type: number;
	/** On the wire. */
	bytes: number;
	payload: unknown;
}

function read(data: ArrayBuffer): Frame {
	const decoded = codec.decode(data);
	return { type: decoded.type, bytes: data.byteLength, payload: JSON.parse(utf8Decoder.decode(decoded.payload)) };
}

async function main() {
	const server = await startLocalServer(PORT);
	const only = process.env.SWARM_BENCH_ONLY;
	try {
		if (!only || only === 'fleet') await run();
		if (!only || only === 'verification') await verification();
	} finally {
		server.stop();
	}
}

async function run() {
	const cookie = await signUp(BASE, `bench${Date.now().toString(36)}`, 'Bench Owner');
	const swarmId = await createSwarm(cookie);
	// Before any device joins, so the figures are the transpiler's, not those of 1,000 sockets opening or closing.
	const transpileRows = await transpileSection(BASE, swarmId, cookie);
	if (process.env.BENCH_ONLY === 'transpile') return print(transpileRows);
	const invite = await api<{ token: string }>(`/api/swarm/${swarmId}/tokens`, cookie, { maxUses: DEVICES });

	// Join and connect every device (bounded concurrency, loopback only).
	const joinStarted = performance.now();
	const devices: Device[] = [];
	await pool(DEVICES, 25, async (i) => {
		const joined = await post<{ credential: string }>(`/swarm/${swarmId}/device/join`, '', {
			token: invite.token,
			capabilities: { name: `bench-${i}`, cores: 4, memoryGb: 8, gpu: null, userAgent: 'bench' }
		});
		devices.push(await Device.connect(swarmId, joined.credential, 500 + ((i * 37) % 3500)));
	});
	const joinSeconds = (performance.now() - joinStarted) / 1000;
	await sleep(1_000);

	// 1. Heartbeats only: each device pings every 10 s, staggered; no dashboard is connected.
	const wakes = async () => sumWakes((await api<Stats>(`/api/swarm/${swarmId}/stats`, cookie)).counters);
	// Every device heartbeats from the moment it connects, as the browser does (or the liveness sweep would
	// close the early joiners while the rest still join); each run switches what the heartbeat text is.
	const heartbeatRun = async (text: string) => {
		devices.forEach((d) => (d.heartbeat = text));
		const before = await wakes();
		await sleep(HEARTBEAT_WINDOW_MS);
		// The stats call itself is one wake-up.
		const woke = (await wakes()) - before - 1;
		const deviceHours = (devices.length * HEARTBEAT_WINDOW_MS) / 3_600_000;
		return {
			woke,
			perDeviceHour: woke / deviceHours,
			pings: Math.round((devices.length * HEARTBEAT_WINDOW_MS) / HEARTBEAT_MS)
		};
	};
	const autoResponse = await heartbeatRun('ping');
	const asMessages = await heartbeatRun('ping!'); // not the auto-response text: reaches webSocketMessage
	devices.forEach((d) => (d.heartbeat = 'ping'));

	// 2. Broadcast: the size of a full snapshot (all devices) on the wire, before and after the codec, and
	// its build + send time against a trivial round trip on the same socket.
	const dashboard = await Dashboard.connect(swarmId, cookie);
	const snapshot = await dashboard.next((f) => f.type === T.snapshot);
	// Before the channel contract this very snapshot went out as a JSON text frame with its kind inside.
	const jsonTextBytes = Buffer.byteLength(JSON.stringify({ type: 'snapshot', ...(snapshot.payload as object) }));
	const baseline: number[] = [];
	const full: number[] = [];
	for (let i = 0; i < 20; i++) {
		baseline.push(await dashboard.time(frame(UNKNOWN_TYPE, {}, i + 1), (f) => f.type === T.error));
		full.push(await dashboard.time(frame(T.refresh, {}, i + 1), (f) => f.type === T.snapshot));
	}

	// 3. Assignments per second while the devices work through the job (5,000 chunks by default; dashboard connected).
	const statsBefore = (await api<Stats>(`/api/swarm/${swarmId}/stats`, cookie)).counters;
	const started = performance.now();
	const job = await api<{ jobId: string; chunks: number }>(`/api/swarm/${swarmId}/jobs`, cookie, JOB);
	let view: JobView | undefined;
	for (;;) {
		await sleep(250);
		view = (await api<JobView[]>(`/api/swarm/${swarmId}/jobs`, cookie)).find((j) => j.id === job.jobId);
		if (view && view.status !== 'running') break;
		if (performance.now() - started > 300_000) throw new Error('job did not finish in 5 minutes');
	}
	const jobSeconds = (performance.now() - started) / 1000;
	const statsAfter = (await api<Stats>(`/api/swarm/${swarmId}/stats`, cookie)).counters;
	const assignments = (statsAfter.assignments ?? 0) - (statsBefore.assignments ?? 0);

	dashboard.ws.close();
	// Heartbeats kept every device connected all along (the liveness sweep closes silent ones).
	const stillOpen = devices.filter((d) => d.ws.readyState === WebSocket.OPEN).length;
	devices.forEach((d) => d.ws.close());
	const online = devices.filter((d) => d.welcomed).length;

	const rows: [string, string][] = [
		[
			'devices joined + connected (benchmarked)',
			`${online} / ${DEVICES} in ${joinSeconds.toFixed(1)} s, ${stillOpen} still connected at the end`
		],
		[
			'wake-ups / device-hour, heartbeats as ping/pong auto-response',
			`${autoResponse.perDeviceHour.toFixed(2)} (${autoResponse.woke} wakes for ${autoResponse.pings} pings in ${HEARTBEAT_WINDOW_MS / 1000} s)`
		],
		[
			'wake-ups / device-hour, heartbeats as messages (control)',
			`${asMessages.perDeviceHour.toFixed(1)} (${asMessages.woke} wakes for ${asMessages.pings} pings)`
		],
		[
			'auto-response saves',
			`${(asMessages.perDeviceHour / Math.max(autoResponse.perDeviceHour, 0.01)).toFixed(0)}× fewer wake-ups`
		],
		[
			`full snapshot of ${devices.length} devices on the wire`,
			`${kib(snapshot.bytes)} codec frame (LZ4) vs ${kib(jsonTextBytes)} as JSON text before (${(jsonTextBytes / snapshot.bytes).toFixed(1)}× smaller; ${snapshot.bytes} vs ${jsonTextBytes} bytes)`
		],
		[
			'broadcast build + send, median (p90)',
			`${ms(median(full) - median(baseline))} (${ms(p90(full) - median(baseline))}) beyond a ${ms(median(baseline))} round trip`
		],
		[
			'job',
			`${job.chunks} chunks, ${view!.status}, answer ${view!.answer} (expected ${JOB_ANSWER}), ${view!.retries} retries`
		],
		[
			'chunk assignments / s',
			`${(assignments / jobSeconds).toFixed(0)} (${assignments} in ${jobSeconds.toFixed(1)} s)`
		],
		...transpileRows
	];
	print(rows);
	if (view!.answer !== JOB_ANSWER) process.exitCode = 1;
}

function print(rows: [string, string][]) {
	const width = Math.max(...rows.map(([k]) => k.length));
	console.log(`\nSwarm bench: ${DEVICES} devices, wrangler dev on :${PORT}\n`);
	for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

/** k-replication's cost, on a swarm of its own (swarm-verification.ts). */
async function verification() {
	const cookie = await signUp(BASE, `verify${Date.now().toString(36)}`, 'Verify Owner');
	const rows = await benchVerification({
		base: BASE,
		cookie,
		post,
		get: (path) => api(path, cookie),
		createSwarm: () => createSwarm(cookie)
	});
	const width = Math.max(...rows.map(([k]) => k.length));
	console.log(`\nSwarm bench, verification: wrangler dev on :${PORT}\n`);
	for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

// ---- clients ---------------------------------------------------------------------------------------

class Device {
	welcomed = false;
	/** What the heartbeat sends: the auto-response text, or (the control) anything else. */
	heartbeat = 'ping';
	private timer?: ReturnType<typeof setInterval>;
	readonly ws: WebSocket;
	constructor(ws: WebSocket) {
		this.ws = ws;
		// Staggered like devices that opened their pages at different moments.
		const first = setTimeout(() => {
			this.beat();
			this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
		}, Math.random() * HEARTBEAT_MS);
		ws.addEventListener('close', () => {
			clearTimeout(first);
			clearInterval(this.timer);
		});
	}

	private beat() {
		if (this.ws.readyState === WebSocket.OPEN) this.ws.send(this.heartbeat);
	}

	static async connect(swarmId: string, credential: string, score: number): Promise<Device> {
		const ws = new WebSocket(`${WS_BASE}/swarm/${swarmId}/device/ws?v=${PROTOCOL_VERSION}`, {
			headers: { cookie: `murmur_device=${credential}`, origin: ORIGIN }
		} as never);
		ws.binaryType = 'arraybuffer';
		const device = new Device(ws);
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
					const { chunks } = message.payload as {
						chunks: { jobId: string; chunk: number; task: { lo: number; hi: number } }[];
					};
					for (const c of chunks) {
						const count = countPrimes(c.task.lo, c.task.hi);
						ws.send(frame(T.result, { jobId: c.jobId, chunk: c.chunk, output: { kind: 'primes', count } }));
					}
				}
			};
		});
		return device;
	}
}

class Dashboard {
	private frames: Frame[] = [];
	private wake: (() => void) | null = null;
	readonly ws: WebSocket;
	constructor(ws: WebSocket) {
		this.ws = ws;
		ws.onmessage = (event) => {
			if (event.data === 'pong') return;
			this.frames.push(read(event.data as ArrayBuffer));
			this.wake?.();
		};
	}

	static async connect(swarmId: string, cookie: string) {
		const ws = new WebSocket(`${WS_BASE}/swarm/${swarmId}/ws?v=${PROTOCOL_VERSION}`, {
			headers: { cookie, origin: ORIGIN }
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

interface Stats {
	counters: Record<string, number>;
}
interface JobView {
	id: string;
	status: string;
	answer: number | null;
	retries: number;
}

async function createSwarm(cookie: string): Promise<string> {
	const res = await formPost(BASE, '/swarm?/create', { name: 'Bench swarm' }, cookie);
	const location = res.headers.get('location') ?? '';
	const match = /\/swarm\/([a-f0-9]{32})$/.exec(location);
	if (!match) throw new Error(`create swarm failed: ${res.status} ${location}`);
	return match[1];
}

async function post<T>(path: string, cookie: string, body: unknown): Promise<T> {
	const res = await fetch(`${BASE}${path}`, {
		method: 'POST',
		headers: { origin: ORIGIN, cookie, accept: 'application/json', 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
	if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

async function api<T>(path: string, cookie: string, body?: unknown): Promise<T> {
	if (body !== undefined) return post<T>(path, cookie, body);
	const res = await fetch(`${BASE}${path}`, { headers: { cookie, accept: 'application/json' } });
	if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>) {
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) await work(next++);
		})
	);
}

function sumWakes(counters: Record<string, number>) {
	return Object.entries(counters)
		.filter(([k]) => k.startsWith('wake.') && k !== 'wake.start')
		.reduce((sum, [, v]) => sum + v, 0);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
const ms = (x: number) => `${Math.max(0, x).toFixed(1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

await main();
