// `npm run bench:codec`: one table of MB/s (1 MB = 10^6 bytes of uncompressed input) for LZ4 block
// compression and decompression and CRC-32, ours against lz4-wasm, lz4js, lz4-napi, hash-wasm and
// node:zlib, on the four inputs of the issue. Each implementation decompresses its own output. Each
// number is the median of several timed rounds after a warm-up, with implementations taking turns,
// so one noisy moment on a shared machine does not decide a row. Prints the table and the targets; README keeps the latest run.
// `--baseline <codec.wasm>` adds another build (e.g. main's) to every row group, measured in the same run.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import {
	hashWasmCrc32,
	lz4jsBlocks,
	lz4NapiBlocks,
	lz4WasmBlocks,
	zlibCrc32,
	type BlockCodec
} from '../node/references.ts';
import { liblz4BlockSizes } from '../node/liblz4.ts';
import { loadBaseline } from './baseline.ts';
import { chatMessageJson, englishLikeText, randomBytes, sampleJsonDocument } from './data.ts';

const { values: args } = parseArgs({ options: { baseline: { type: 'string' } } });
const baseline = args.baseline ? loadBaseline(args.baseline, 'baseline (--baseline)') : undefined;

const WARMUP_MS = 150;
const ROUND_MS = 120;
const ROUNDS = 7;
const ENGLISH_BYTES = 10_000_000;
const RANDOM_BYTES = 1_000_000;

const { codec } = loadNodeCodec({ maxPayloadBytes: 16 * 1024 * 1024 });
const ours: BlockCodec = {
	name: 'ours (AssemblyScript)',
	compress: (input) => codec.compressBlock(input),
	decompress: (block, size) => codec.decompressBlock(block, size)
};
const blockCodecs = [ours, ...(baseline ? [baseline.blocks] : []), lz4WasmBlocks, lz4jsBlocks, lz4NapiBlocks];
const hashWasm = await hashWasmCrc32();
const crcImpls: { name: string; crc32: (bytes: Uint8Array) => number }[] = [
	{ name: 'ours (AssemblyScript)', crc32: (bytes) => codec.crc32(bytes) },
	...(baseline ? [{ name: baseline.blocks.name, crc32: baseline.crc32 }] : []),
	{ name: 'hash-wasm', crc32: hashWasm },
	{ name: 'node:zlib (native)', crc32: (bytes) => zlibCrc32(bytes) }
];
/** The issue's targets: ours ÷ reference at least this much. */
const TARGETS = {
	crc32: { ref: 'hash-wasm', min: 1.2 },
	decompress: { ref: 'lz4-napi (native)', min: 1.0 },
	compress: { ref: 'lz4-wasm (lz4_flex)', min: 1.2 }
};

const datasets = [
	{ key: 'a', name: '(a) JSON 66 KB', bytes: sampleJsonDocument() },
	{ key: 'b', name: '(b) chat JSON 1 KB', bytes: chatMessageJson() },
	{ key: 'c', name: '(c) English 10 MB', bytes: englishLikeText(ENGLISH_BYTES, 11) },
	{ key: 'd', name: '(d) random 1 MB', bytes: randomBytes(RANDOM_BYTES, 3) }
];

/** liblz4's fast mode on the same inputs, for the ratio target (python3 + the system liblz4). */
const liblz4 = liblz4BlockSizes(datasets.map((d) => d.bytes));

/**
 * MB/s of each call, as the median of ROUNDS rounds. The implementations take turns round by round
 * (interleaved), so a burst of load from other processes on a shared machine slows all of them alike
 * instead of deciding the ratio; each round of each implementation lasts about ROUND_MS.
 */
function throughputs(bytesPerCall: number, calls: (() => unknown)[]): number[] {
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
		calls.forEach((call, i) => {
			const started = performance.now();
			for (let k = 0; k < callsPerRound[i]; k++) call();
			const seconds = (performance.now() - started) / 1000;
			rates[i].push((bytesPerCall * callsPerRound[i]) / seconds / 1e6);
		});
	}
	return rates.map((r) => r.sort((x, y) => x - y)[Math.floor(r.length / 2)]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && Buffer.compare(a, b) === 0;
}

interface Row {
	data: string;
	op: string;
	impl: string;
	mbps: number;
	ratio?: number;
	oursOverThis: number;
}

const rows: Row[] = [];
const targets: { what: string; value: number; min: number }[] = [];

for (const { key, name, bytes } of datasets) {
	const blocks = blockCodecs.map((impl) => {
		const block = impl.compress(bytes);
		// Correctness first: a fast wrong answer is not a result.
		if (!sameBytes(impl.decompress(block, bytes.length), bytes)) throw new Error(`${impl.name} failed on ${name}`);
		return block;
	});
	for (const op of ['compress', 'decompress'] as const) {
		const mbps = throughputs(
			bytes.length,
			blockCodecs.map((impl, i) =>
				op === 'compress' ? () => impl.compress(bytes) : () => impl.decompress(blocks[i], bytes.length)
			)
		);
		blockCodecs.forEach((impl, i) => {
			const ratio = bytes.length / blocks[i].length;
			rows.push({ data: name, op, impl: impl.name, mbps: mbps[i], ratio, oursOverThis: mbps[0] / mbps[i] });
		});
		const target = TARGETS[op];
		const ref = blockCodecs.findIndex((impl) => impl.name === target.ref);
		if (key !== 'd' || op === 'decompress') {
			targets.push({ what: `${op} ${name} vs ${target.ref}`, value: mbps[0] / mbps[ref], min: target.min });
		}
	}
	if (liblz4 && key !== 'd') {
		const i = datasets.findIndex((d) => d.key === key);
		targets.push({
			what: `ratio ${name} vs liblz4 ${liblz4.version} fast (${blocks[0].length} vs ${liblz4.sizes[i]} bytes)`,
			value: liblz4.sizes[i] / blocks[0].length,
			min: 0.99
		});
	}
	const expected = zlibCrc32(bytes);
	for (const impl of crcImpls) {
		if (impl.crc32(bytes) !== expected) throw new Error(`${impl.name} CRC mismatch on ${name}`);
	}
	const crcMbps = throughputs(
		bytes.length,
		crcImpls.map((impl) => () => impl.crc32(bytes))
	);
	crcImpls.forEach((impl, i) => {
		rows.push({ data: name, op: 'crc32', impl: impl.name, mbps: crcMbps[i], oursOverThis: crcMbps[0] / crcMbps[i] });
	});
	const crcRef = crcImpls.findIndex((impl) => impl.name === TARGETS.crc32.ref);
	targets.push({ what: `crc32 ${name} vs hash-wasm`, value: crcMbps[0] / crcMbps[crcRef], min: TARGETS.crc32.min });
}

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

const cpu = cpus();
console.log(
	`Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`
);
console.log('MB/s of uncompressed bytes (median of rounds); Ratio = original ÷ compressed size.\n');
console.log(line(header));
console.log(`|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
for (const row of table) console.log(line(row));
console.log(
	liblz4
		? `\nliblz4 ${liblz4.version} fast mode (LZ4_compress_default), sizes: ${datasets.map((d, i) => `${d.key} ${liblz4.sizes[i]}`).join(', ')}`
		: '\nliblz4 not measured (needs python3 and liblz4.so.1)'
);
console.log('\nTargets (ours ÷ reference; for ratio, liblz4 bytes ÷ ours):');
for (const t of targets) {
	console.log(`  ${t.value >= t.min ? 'met   ' : 'MISSED'} ${t.what}: ${t.value.toFixed(2)}× (≥ ${t.min.toFixed(2)}×)`);
}
