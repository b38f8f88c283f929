// The codec benchmark's workloads, shared by the Node run (bench-codec.ts) and the Chromium run
// (chromium/bench-worker.ts), so both measure the same inputs the same way. No Node APIs here.
//
// MB/s of uncompressed bytes (10^6 bytes/s). Each implementation decompresses its own output. Each
// number is the median of ROUNDS timed rounds after a warm-up, with implementations taking turns round
// by round, so one noisy moment on a shared machine slows all of them alike instead of deciding a ratio;
// each "ours ÷ this" is the median of the per-round ratios.
import { chatMessageJson, englishLikeText, randomBytes, sampleJsonDocument, seededRandom } from './data.ts';

const WARMUP_MS = 150;
const ROUND_MS = 50;
const ROUNDS = 21;

export interface BlockImpl {
	name: string;
	compress(input: Uint8Array): Uint8Array;
	decompress(block: Uint8Array, size: number): Uint8Array;
}

export interface CrcImpl {
	name: string;
	crc32(bytes: Uint8Array): number;
}

export interface Dataset {
	key: string;
	name: string;
	bytes: Uint8Array;
}

export interface Row {
	data: string;
	op: string;
	impl: string;
	mbps: number;
	ratio?: number;
	oursOverThis: number;
}

export interface Target {
	what: string;
	value: number;
	min: number;
}

export type Op = 'compress' | 'decompress' | 'crc32';

/** The reference each operation is judged against, and the ratio it must reach. */
export type Targets = Record<Op, { ref: string; min: number }>;

/**
 * Which part of the bench runs: `BENCH_CODEC_OPS=compress` and `BENCH_CODEC_DATA=a,b,c` (comma lists;
 * unset means all), read by the Node side and handed to the Chromium worker, so one section can be
 * rerun alone in a minute or two.
 */
export interface Sections {
	ops: Op[];
	data: string[];
}

export const ALL_OPS: Op[] = ['compress', 'decompress', 'crc32'];

/** Sections from the two environment variables' values (undefined or empty: everything). */
export function sectionsFrom(ops: string | undefined, data: string | undefined): Sections {
	const list = (value: string | undefined) =>
		(value ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);
	const wantedOps = list(ops);
	for (const op of wantedOps) {
		if (!ALL_OPS.includes(op as Op)) throw new Error(`BENCH_CODEC_OPS: unknown operation ${op}`);
	}
	const keys = datasets(false).map((d) => d.key);
	const wantedData = list(data);
	for (const key of wantedData) {
		if (!keys.includes(key)) throw new Error(`BENCH_CODEC_DATA: unknown input ${key} (${keys.join(', ')})`);
	}
	return {
		ops: wantedOps.length ? (wantedOps as Op[]) : ALL_OPS,
		data: wantedData.length ? wantedData : keys
	};
}

/**
 * The issue's four inputs: a 66 KB JSON document, a 1 KB chat message, 10 MB of text, 1 MB random.
 * `sections` keeps only the chosen ones (and generates no others); `false` lists keys and names only.
 */
export function datasets(sections?: Sections | false): Dataset[] {
	const all: { key: string; name: string; make: () => Uint8Array }[] = [
		{ key: 'a', name: '(a) JSON 66 KB', make: () => sampleJsonDocument() },
		{ key: 'b', name: '(b) chat JSON 1 KB', make: () => chatMessageJson() },
		{ key: 'c', name: '(c) English 10 MB', make: () => englishLikeText(10_000_000, 11) },
		{ key: 'd', name: '(d) random 1 MB', make: () => randomBytes(1_000_000, 3) }
	];
	return all
		.filter(({ key }) => !sections || sections.data.includes(key))
		.map(({ key, name, make }) => ({ key, name, bytes: sections === false ? new Uint8Array(0) : make() }));
}

/** A clock in milliseconds: wall time by default; the Node half can pass process CPU time. */
export type Clock = () => number;

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/**
 * MB/s of each call, as the median of ROUNDS interleaved rounds of about ROUND_MS each, and each call's
 * "ours ÷ this": the median of the per-round ratios (calls[0] ÷ this in the same round), so a change in
 * the machine's load between rounds does not decide a ratio.
 */
function throughputs(
	bytesPerCall: number,
	calls: (() => unknown)[],
	clock: Clock
): { mbps: number[]; ratios: number[] } {
	const callsPerRound = calls.map((call) => {
		const warmupEnd = performance.now() + WARMUP_MS;
		let n = 0;
		while (performance.now() < warmupEnd || n === 0) {
			call();
			n++;
		}
		return Math.max(1, Math.round((n * ROUND_MS) / WARMUP_MS));
	});
	const rates: number[][] = calls.map(() => []);
	for (let round = 0; round < ROUNDS; round++) {
		// A fresh (seeded) order every round: whatever one implementation leaves behind (garbage to collect,
		// evicted caches) is charged to a different one each time, not always to the one after it.
		for (const i of roundOrder(calls.length, round)) {
			const call = calls[i];
			const started = clock();
			for (let k = 0; k < callsPerRound[i]; k++) call();
			// A CPU clock ticks in microseconds: never divide by zero.
			const seconds = Math.max(clock() - started, 0.001) / 1000;
			rates[i].push((bytesPerCall * callsPerRound[i]) / seconds / 1e6);
		}
	}
	return {
		mbps: rates.map(median),
		ratios: rates.map((r) => median(r.map((rate, round) => rates[0][round] / rate)))
	};
}

/** The turns of round `round`: a Fisher–Yates shuffle of 0…n−1 seeded by the round, so runs repeat it. */
function roundOrder(n: number, round: number): number[] {
	const order = Array.from({ length: n }, (_, i) => i);
	const next = seededRandom(round + 1);
	for (let i = n - 1; i > 0; i--) {
		const j = Math.floor(next() * (i + 1));
		[order[i], order[j]] = [order[j]!, order[i]!];
	}
	return order;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

/**
 * Measures compress, decompress and CRC-32 of every dataset; the first implementation of each list is
 * "ours". Returns the rows, the targets, and each block implementation's compressed sizes by dataset.
 */
export function runWorkloads(
	sets: Dataset[],
	blocks: BlockImpl[],
	crcs: CrcImpl[],
	targets: Targets,
	ops: Op[] = ALL_OPS,
	clock: Clock = () => performance.now()
): { rows: Row[]; targets: Target[]; sizes: Map<string, number[]> } {
	const rows: Row[] = [];
	const met: Target[] = [];
	const sizes = new Map<string, number[]>();
	for (const { key, name, bytes } of sets) {
		const compressed = blocks.map((impl) => {
			const block = impl.compress(bytes);
			// Correctness first: a fast wrong answer is not a result.
			if (!sameBytes(impl.decompress(block, bytes.length), bytes)) throw new Error(`${impl.name} failed on ${name}`);
			return block;
		});
		sizes.set(
			key,
			compressed.map((b) => b.length)
		);
		for (const op of (['compress', 'decompress'] as const).filter((o) => ops.includes(o))) {
			const { mbps, ratios } = throughputs(
				bytes.length,
				blocks.map((impl, i) =>
					op === 'compress' ? () => impl.compress(bytes) : () => impl.decompress(compressed[i], bytes.length)
				),
				clock
			);
			blocks.forEach((impl, i) => {
				const ratio = bytes.length / compressed[i].length;
				rows.push({ data: name, op, impl: impl.name, mbps: mbps[i], ratio, oursOverThis: ratios[i] });
			});
			const target = targets[op];
			const ref = blocks.findIndex((impl) => impl.name === target.ref);
			// Random bytes do not compress: only their decompression (a copy) is a target.
			if (ref >= 0 && (key !== 'd' || op === 'decompress')) {
				met.push({ what: `${op} ${name} vs ${target.ref}`, value: ratios[ref], min: target.min });
			}
		}
		if (!ops.includes('crc32')) continue;
		const expected = crcs[0].crc32(bytes);
		for (const impl of crcs) {
			if (impl.crc32(bytes) !== expected) throw new Error(`${impl.name} CRC mismatch on ${name}`);
		}
		const crc = throughputs(
			bytes.length,
			crcs.map((impl) => () => impl.crc32(bytes)),
			clock
		);
		crcs.forEach((impl, i) => {
			rows.push({ data: name, op: 'crc32', impl: impl.name, mbps: crc.mbps[i], oursOverThis: crc.ratios[i] });
		});
		const crcRef = crcs.findIndex((impl) => impl.name === targets.crc32.ref);
		if (crcRef >= 0) {
			met.push({
				what: `crc32 ${name} vs ${targets.crc32.ref}`,
				value: crc.ratios[crcRef],
				min: targets.crc32.min
			});
		}
	}
	return { rows, targets: met, sizes };
}

/** Another compressor's block size for each input key, for the ratio target. */
export interface SizeReference {
	name: string;
	sizes: Map<string, number>;
}

/** Our block may be at most this much larger than the reference's (the issue: within 1%). */
const RATIO_SLACK = 1.01;

/**
 * The ratio targets: on every compressible input (not the random one), our block at most 1% larger
 * than each reference's. `ours` is our block size by input key.
 */
export function ratioTargets(sets: Dataset[], ours: Map<string, number>, references: SizeReference[]): Target[] {
	return references.flatMap((reference) =>
		sets.flatMap(({ key, name }) => {
			const size = ours.get(key);
			const theirs = reference.sizes.get(key);
			if (key === 'd' || size === undefined || theirs === undefined) return [];
			const percent = (size / theirs - 1) * 100;
			const change =
				percent === 0 ? 'the same' : `${Math.abs(percent).toFixed(2)}% ${percent > 0 ? 'larger' : 'smaller'}`;
			return [
				{
					what: `ratio ${name} vs ${reference.name} (${size} vs ${theirs} bytes, ${change})`,
					value: theirs / size,
					min: 1 / RATIO_SLACK
				}
			];
		})
	);
}

/** The Markdown table and the target lines, as bench:codec prints them. */
export function formatResults(rows: Row[], targets: Target[]): string {
	const header = ['Data', 'Op', 'Implementation', 'MB/s', 'Ratio', 'Ours ÷ this'];
	const table = rows.map((r) => [
		r.data,
		r.op,
		r.impl,
		r.mbps >= 100 ? r.mbps.toFixed(0) : r.mbps.toFixed(1),
		r.ratio === undefined ? '' : r.ratio.toFixed(2),
		`${r.oursOverThis.toFixed(2)}×`
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
	const line = (cells: string[]) =>
		`| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
	const lines = [
		line(header),
		`|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
		...table.map(line),
		'',
		'Targets (ours ÷ reference; for ratio, their bytes ÷ ours, at most 1% larger):',
		...targets.map(
			(t) => `  ${t.value >= t.min ? 'met   ' : 'MISSED'} ${t.what}: ${t.value.toFixed(2)}× (≥ ${t.min.toFixed(2)}×)`
		)
	];
	return lines.join('\n');
}
