/**
 * bench:swarm's deltas section (SWARM_BENCH_ONLY=deltas: the devices join, then only this): what the owner's
 * dashboard is sent every 2 s while a big swarm works. Every device holds its chunks of a 20,000-chunk
 * prime count and answers them only when its turn comes, in a shuffled round where 5 % of the devices take
 * their turn in each 2 s broadcast interval (one every 40 ms at 1,000 devices), so each broadcast has 5 % of
 * the devices changed (done, CPU time, last seen) plus the job's progress and the throughput chart. One
 * device benchmarks far above the others, so each of those holds one chunk (the scheduler's quota) and
 * the coordinator's load stays light (25 results/s): what each change costs the dashboard is the same.
 * Over SWARM_BENCH_DELTA_BROADCASTS consecutive broadcasts (30, one keyframe period) it prints the bytes of
 * each delta and of the keyframe, as JSON text and as the codec frame on the wire, and the average per
 * broadcast with the keyframes included, against the reference: the same swarm's full snapshot as the
 * JSON text it was before deltas (the 236 KiB of issue 19), in the same run; and the coordinator's
 * build + send time per broadcast (timed inside the object: wrangler dev's clock runs during execution).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEVICE_COLUMNS, INVITE_COLUMNS, JOB_COLUMNS, LOG_COLUMNS } from '../../src/lib/protocol/swarm-columns.ts';
import { jsonFrame, kib, median, ms, p90, T, type Dashboard, type Device, type Frame } from './swarm-clients.ts';

const BROADCASTS = Number(process.env.SWARM_BENCH_DELTA_BROADCASTS ?? 30);
/** Broadcasts skipped once every device holds chunks (the first assignment changed every device's in-flight count). */
const WARMUP = 2;
/** As BROADCAST_MS in src/lib/server/swarm/lifecycle.ts. */
const BROADCAST_MS = 2_000;
const CHANGING = 0.05;
/** MAX_CHUNKS_PER_JOB chunks of 1,000 numbers: more than the window can use up, each answered at once. */
const JOB = { kind: 'primes', lo: 0, hi: 20_000_000, chunkSize: 1_000 };
/** The target: bytes per broadcast at most this share of the full snapshot's JSON text. */
const TARGET = 1 / 5;

export interface DeltaBenchPorts {
	devices: Device[];
	connectDashboard(): Promise<Dashboard>;
	swarmId: string;
	cookie: string;
	api<R>(path: string, cookie: string, body?: unknown): Promise<R>;
	/** The devices joined with other scores: send deltaScore's first (allowed once per 30 s). */
	rebenchmark: boolean;
}

/** Scores for this section: one device 100× the others, so each of the others may hold one chunk. */
export const deltaScore = (i: number) => (i === 0 ? 100_000 : 1_000);

interface Broadcast {
	keyframe: boolean;
	json: number;
	wire: number;
	/** Devices the frame carries (a keyframe: all of them). */
	devices: number;
	payload: Payload;
}

interface FeedTiming {
	count: number;
	ms: number;
}
type FeedStats = { broadcastTiming?: { deltas: FeedTiming; keyframes: FeedTiming } };

export async function benchDeltas(p: DeltaBenchPorts): Promise<[string, string][]> {
	const stats = () => p.api<FeedStats>(`/api/swarm/${p.swarmId}/stats`, p.cookie);
	const dashboard = await p.connectDashboard();
	const connectFrame = await dashboard.next((f) => f.type === T.keyframe);
	const broadcasts: Broadcast[] = [];
	/** Index of the window's first broadcast, once every device holds chunks. */
	let start = Infinity;
	let wanted = Infinity;
	let done: () => void = () => {};
	const collected = new Promise<void>((resolve) => (done = resolve));
	let statsBefore: Promise<FeedStats> | null = null;
	dashboard.onFrame = (frame) => {
		const broadcast = asBroadcast(frame, broadcasts.at(-1));
		if (broadcast === 'continued') return;
		if (!broadcast) return;
		broadcasts.push(broadcast);
		progress(
			`broadcast ${broadcasts.length}/${wanted}: ${broadcast.keyframe ? 'keyframe' : 'delta'} ${broadcast.json} B JSON, ${broadcast.devices} devices`
		);
		if (broadcasts.length === start) statsBefore = stats();
		if (broadcasts.length >= wanted) done();
	};

	if (p.rebenchmark) {
		p.devices.forEach((d, i) => d.benchmark(deltaScore(i)));
		await sleep(2_000);
	}
	p.devices.forEach((d) => (d.hold = true));
	const job = await p.api<{ jobId: string }>(`/api/swarm/${p.swarmId}/jobs`, p.cookie, JOB);
	progress(`job ${job.jobId} submitted`);
	const order = shuffled(p.devices);
	const perBroadcast = Math.max(1, Math.round(p.devices.length * CHANGING));
	let turn = 0;
	const driver = setInterval(() => order[turn++ % order.length].answerHeld(), BROADCAST_MS / perBroadcast);
	for (let waited = 0; p.devices.some((d) => d.assigned === 0); waited += 250) {
		if (waited > 120_000) throw new Error('some devices got no chunks in 2 minutes');
		await sleep(250);
	}
	start = broadcasts.length + WARMUP;
	wanted = start + BROADCASTS;
	progress(`every device holds chunks: measuring broadcasts ${start + 1}–${wanted}`);
	await collected;
	const end = wanted;
	wanted = Infinity;
	clearInterval(driver);
	const after = await stats();
	const before = await (statsBefore ?? stats());
	await p.api(`/api/swarm/${p.swarmId}/jobs/${job.jobId}`, p.cookie, { action: 'cancel' });
	p.devices.forEach((d) => (d.hold = false));
	dashboard.ws.close();
	await sleep(500);

	const window = broadcasts.slice(start, end);
	const deltas = window.filter((b) => !b.keyframe);
	const keyframes = window.filter((b) => b.keyframe);
	const reference = beforeDeltas((keyframes.at(-1) ?? (asBroadcast(connectFrame, undefined) as Broadcast)).payload);
	const total = (key: 'json' | 'wire') => window.reduce((sum, b) => sum + b[key], 0) / window.length;
	const avgJson = total('json');
	const avgWire = total('wire');
	const timing = (key: 'deltas' | 'keyframes') => {
		const a = after.broadcastTiming?.[key];
		const b = before.broadcastTiming?.[key];
		if (!a || !b || a.count === b.count) return 'n/a';
		return ms((a.ms - b.ms) / (a.count - b.count));
	};
	const keyframe = keyframes[0];
	return [
		[
			'dashboard broadcasts measured',
			`${window.length} × 2 s, ${perBroadcast} devices (5 %) finishing chunks in each; deltas carry median ${median(deltas.map((d) => d.devices))} devices (p90 ${p90(deltas.map((d) => d.devices))})`
		],
		[
			'delta per broadcast, JSON text / wire, median (p90)',
			`${kib(median(deltas.map((d) => d.json)))} / ${kib(median(deltas.map((d) => d.wire)))} (${kib(p90(deltas.map((d) => d.json)))} / ${kib(p90(deltas.map((d) => d.wire)))})`
		],
		[
			'keyframe (full state), JSON text / wire',
			keyframe
				? `${kib(keyframe.json)} / ${kib(keyframe.wire)}, ${keyframes.length} of the ${window.length} broadcasts`
				: `none in the window`
		],
		[
			'reference: the full snapshot before deltas, JSON text / codec frame',
			`${kib(reference.json)} / ${kib(reference.wire)} (same swarm, same run)`
		],
		[
			'average per broadcast incl. keyframes, JSON text / wire',
			`${kib(avgJson)} / ${kib(avgWire)}: 1/${(reference.json / avgJson).toFixed(1)} of the reference's JSON text (target ≤ 1/${1 / TARGET}: ${avgJson <= reference.json * TARGET ? 'met' : 'MISSED'})`
		],
		['build + send per broadcast, in the object (mean)', `delta ${timing('deltas')}, keyframe ${timing('keyframes')}`]
	];
}

type Payload = Record<string, unknown> & {
	full?: boolean;
	part?: number;
	devices: unknown[] | { add?: unknown[]; set?: unknown[]; drop?: unknown[] };
};

/**
 * A dashboard frame as one broadcast: a delta, a keyframe (its later parts are added to the first), or
 * version 2's snapshot (`full`, or a delta of changed devices). Null for frames that are not broadcasts
 * (answers to a request, tiles, errors).
 */
function asBroadcast(frame: Frame, previous: Broadcast | undefined): Broadcast | 'continued' | null {
	if (frame.seq !== 0 || (frame.type !== T.keyframe && frame.type !== T.delta)) return null;
	const payload = frame.payload as Payload;
	const devices = Array.isArray(payload.devices)
		? payload.devices.length
		: (payload.devices?.add?.length ?? 0) + (payload.devices?.set?.length ?? 0) + (payload.devices?.drop?.length ?? 0);
	if (frame.type === T.keyframe && (payload.part ?? 0) > 0 && previous) {
		previous.json += frame.jsonBytes;
		previous.wire += frame.bytes;
		previous.devices += devices;
		return 'continued';
	}
	const keyframe = frame.type === T.keyframe && payload.full !== false;
	return { keyframe, json: frame.jsonBytes, wire: frame.bytes, devices, payload };
}

/**
 * The full snapshot as it went out before deltas (swarm channel version 2: records as objects, the kind
 * inside the JSON text frame before the channel contract), from a keyframe of the same moment: its JSON
 * text, and the codec frame version 2 sent.
 */
export function beforeDeltas(payload: unknown): { json: number; wire: number } {
	const k = payload as Record<string, never>;
	const snapshot =
		'full' in k
			? k
			: {
					full: true,
					at: k.at,
					swarm: k.swarm,
					devices: records(k.devices, DEVICE_COLUMNS),
					jobs: records(k.jobs, JOB_COLUMNS),
					log: records(k.log, LOG_COLUMNS),
					throughput: (k.throughput as { from: number; bucketMs: number; chunks: number[] }).chunks.map((n, i) => ({
						at: (k.throughput as { from: number }).from + i * (k.throughput as { bucketMs: number }).bucketMs,
						chunks: n
					})),
					invites: records(k.invites, INVITE_COLUMNS)
				};
	return {
		json: Buffer.byteLength(JSON.stringify({ type: 'snapshot', ...snapshot })),
		wire: jsonFrame(T.keyframe, JSON.stringify(snapshot)).byteLength
	};
}

const records = (rows: unknown[][], columns: readonly string[]) =>
	rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));

/** Where the section is, on stderr (it runs for a minute or more). */
const progress = (text: string) => process.stderr.write(`[bench:swarm deltas] ${text}\n`);

function shuffled<X>(items: X[]): X[] {
	const copy = [...items];
	for (let i = copy.length - 1; i > 0; i--) {
		const j = Math.floor(Math.random() * (i + 1));
		[copy[i], copy[j]] = [copy[j], copy[i]];
	}
	return copy;
}
