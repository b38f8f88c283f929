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
 * Then, on the same devices, the dashboard deltas (swarm-deltas.ts): bytes and build + send time per 2 s
 * broadcast while 5 % of the devices change in each, against the full snapshot of the same swarm.
 * Then the verification section (swarm-verification.ts): a custom job at k = 1 and k = 2 with 100 devices.
 *
 * Env: SWARM_BENCH_PORT (default 8791), SWARM_BENCH_DEVICES (1000), SWARM_BENCH_HEARTBEAT_S (30),
 * SWARM_BENCH_ONLY (fleet | deltas | verification: one section; deltas joins the devices and runs only that).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { countPrimes } from '../../src/lib/swarm/compute/primes.ts';
import { signUp, startLocalServer } from './local-server.ts';
import {
	Dashboard,
	Device,
	frame,
	kib,
	median,
	ms,
	p90,
	pool,
	SwarmApi,
	T,
	UNKNOWN_TYPE,
	type Stats
} from './swarm-clients.ts';
import { beforeDeltas, benchDeltas, deltaScore } from './swarm-deltas.ts';
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
const ENDPOINT = { wsBase: `ws://127.0.0.1:${PORT}`, origin: BASE };
const http = new SwarmApi(BASE);
const api = <R>(path: string, cookie: string, body?: unknown): Promise<R> =>
	body === undefined ? http.get<R>(path, cookie) : http.post<R>(path, cookie, body);
const post = <R>(path: string, cookie: string, body: unknown) => http.post<R>(path, cookie, body);
const createSwarm = (cookie: string) => http.createSwarm(cookie);

async function main() {
	const server = await startLocalServer(PORT);
	const only = process.env.SWARM_BENCH_ONLY;
	try {
		if (!only || only === 'fleet' || only === 'deltas') await run(only === 'deltas');
		if (!only || only === 'verification') await verification();
	} finally {
		server.stop();
	}
}

/** The fleet sections on 1,000 devices, then the dashboard deltas on the same devices (`deltasOnly`: just those). */
async function run(deltasOnly: boolean) {
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
		// The deltas section's scores from the start when it runs alone (re-benchmarking is rate-limited).
		const score = deltasOnly ? deltaScore(i) : 500 + ((i * 37) % 3500);
		devices.push(await Device.connect(ENDPOINT, swarmId, joined.credential, score, HEARTBEAT_MS));
	});
	const joinSeconds = (performance.now() - joinStarted) / 1000;
	process.stderr.write(`[bench:swarm] ${devices.length} devices joined in ${joinSeconds.toFixed(1)} s\n`);
	await sleep(1_000);
	const joinRow: [string, string] = [
		'devices joined + connected (benchmarked)',
		`${devices.filter((d) => d.welcomed).length} / ${DEVICES} in ${joinSeconds.toFixed(1)} s`
	];
	const deltas = () =>
		benchDeltas({
			devices,
			connectDashboard: () => Dashboard.connect(ENDPOINT, swarmId, cookie),
			swarmId,
			cookie,
			api,
			rebenchmark: !deltasOnly
		});
	if (deltasOnly) {
		const rows = await deltas();
		devices.forEach((d) => d.ws.close());
		return print([joinRow, ...rows]);
	}

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
	const dashboard = await Dashboard.connect(ENDPOINT, swarmId, cookie);
	const snapshot = await dashboard.next((f) => f.type === T.keyframe);
	// Before the channel contract this very snapshot went out as a JSON text frame with its kind inside.
	const before = beforeDeltas(snapshot.payload);
	const baseline: number[] = [];
	const full: number[] = [];
	for (let i = 0; i < 20; i++) {
		baseline.push(await dashboard.time(frame(UNKNOWN_TYPE, {}, i + 1), (f) => f.type === T.error));
		full.push(await dashboard.time(frame(T.refresh, {}, i + 1), (f) => f.type === T.keyframe));
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
	// 4. Dashboard deltas on the same devices (swarm-deltas.ts), last: it leaves them holding chunks.
	const deltaRows = await deltas();
	devices.forEach((d) => d.ws.close());

	const rows: [string, string][] = [
		[joinRow[0], `${joinRow[1]}, ${stillOpen} still connected after the job`],
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
			`keyframe (full state) of ${devices.length} devices on the wire`,
			`${kib(snapshot.bytes)} codec frame (${kib(snapshot.jsonBytes)} JSON) vs ${kib(before.json)} as JSON text before the channel contract (${(before.json / snapshot.bytes).toFixed(1)}× smaller) and ${kib(before.wire)} as version 2's codec frame`
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
		...deltaRows,
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

interface JobView {
	id: string;
	status: string;
	answer: number | null;
	retries: number;
}

function sumWakes(counters: Record<string, number>) {
	return Object.entries(counters)
		.filter(([k]) => k.startsWith('wake.') && k !== 'wake.start')
		.reduce((sum, [, v]) => sum + v, 0);
}

await main();
