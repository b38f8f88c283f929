// `npm run bench:codec`, Node half: LZ4 block compression and decompression and CRC-32, ours (SIMD and
// scalar builds) against lz4-wasm, lz4js, lz4-napi, hash-wasm and node:zlib on the four inputs of the
// issue (workloads.ts), plus the compression ratio against liblz4's fast mode. The Chromium half
// (bench-codec-chromium.ts) runs the same workloads in a browser. README keeps the latest run.
// `--baseline <codec.wasm>` adds another build (e.g. main's) to every row group, measured in the same run.
// BENCH_CODEC_OPS / BENCH_CODEC_DATA pick a section (workloads.ts), e.g. compress on a,b,c only.
// Rounds are timed in process CPU time (user + system), so on a shared machine the time the scheduler
// gives other jobs is not counted; BENCH_CODEC_CLOCK=wall times them by the wall clock instead.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { liblz4BlockSizes } from '../node/liblz4.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { hashWasmCrc32, lz4jsBlocks, lz4NapiBlocks, lz4WasmBlocks, zlibCrc32 } from '../node/references.ts';
import { baselineFrom } from './baseline.ts';
import {
	datasets,
	formatResults,
	ratioTargets,
	runWorkloads,
	sectionsFrom,
	type BlockImpl,
	type CrcImpl,
	type SizeReference
} from './workloads.ts';

const { values: args } = parseArgs({ options: { baseline: { type: 'string' } } });
const baseline = args.baseline ? baselineFrom(readFileSync(args.baseline)) : undefined;

const LIMIT = { maxPayloadBytes: 16 * 1024 * 1024 };
const ours = (build: 'simd' | 'scalar') => {
	const { codec } = loadNodeCodec(LIMIT, build);
	const name = build === 'simd' ? 'ours (AssemblyScript)' : 'ours, scalar build';
	return {
		blocks: {
			name,
			compress: (input) => codec.compressBlock(input),
			decompress: (block, size) => codec.decompressBlock(block, size)
		} satisfies BlockImpl,
		crc: { name, crc32: (bytes) => codec.crc32(bytes) } satisfies CrcImpl
	};
};
const simd = ours('simd');
const scalar = ours('scalar');
const hashWasm = await hashWasmCrc32();

const sections = sectionsFrom(process.env.BENCH_CODEC_OPS, process.env.BENCH_CODEC_DATA);
const wallClock = process.env.BENCH_CODEC_CLOCK === 'wall';
if (!['wall', 'cpu', undefined].includes(process.env.BENCH_CODEC_CLOCK)) {
	throw new Error('BENCH_CODEC_CLOCK: cpu (the default) or wall');
}
const cpuClock = () => {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
};
const sets = datasets(sections);
const { rows, targets } = runWorkloads(
	sets,
	[simd.blocks, scalar.blocks, ...(baseline ? [baseline.blocks] : []), lz4WasmBlocks, lz4jsBlocks, lz4NapiBlocks],
	[
		simd.crc,
		scalar.crc,
		...(baseline ? [{ name: baseline.blocks.name, crc32: baseline.crc32 }] : []),
		{ name: 'hash-wasm', crc32: hashWasm },
		{ name: 'node:zlib (native)', crc32: (bytes) => zlibCrc32(bytes) }
	],
	{
		crc32: { ref: 'hash-wasm', min: 1.2 },
		decompress: { ref: 'lz4-napi (native)', min: 1.0 },
		compress: { ref: 'lz4-wasm (lz4_flex)', min: 1.2 }
	},
	sections.ops,
	wallClock ? () => performance.now() : cpuClock
);

// The ratio target: liblz4's own fast mode (python3 + the system liblz4) and lz4-napi's compress (lz4_flex
// native, the same greedy parse with liblz4's 5-byte hash on 64-bit), on the same inputs.
const liblz4 = liblz4BlockSizes(sets.map((d) => d.bytes));
const sizesOf = (compress: (bytes: Uint8Array) => Uint8Array) =>
	new Map(sets.map(({ key, bytes }) => [key, compress(bytes).length]));
const references: SizeReference[] = [
	...(liblz4
		? [{ name: `liblz4 ${liblz4.version} fast`, sizes: new Map(sets.map(({ key }, i) => [key, liblz4.sizes[i]])) }]
		: []),
	{ name: 'lz4-napi', sizes: sizesOf(lz4NapiBlocks.compress) }
];
targets.push(...ratioTargets(sets, sizesOf(simd.blocks.compress), references));

/** lscpu's model name where there is one (os.cpus() shortens some), for the machine line. */
function cpuModel(): string {
	try {
		const line = execFileSync('lscpu', { encoding: 'utf8' })
			.split('\n')
			.find((l) => l.startsWith('Model name:'));
		if (line) return line.slice('Model name:'.length).trim();
	} catch {
		// not Linux, or no lscpu
	}
	return cpus()[0]?.model ?? 'unknown CPU';
}

console.log(
	`Node: ${cpuModel()}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`
);
console.log(
	`MB/s of uncompressed bytes per second of ${wallClock ? 'wall-clock' : 'process CPU'} time (median of rounds; ours ÷ this: median of per-round ratios); Ratio = original ÷ compressed size.\n`
);
console.log(formatResults(rows, targets));
console.log(
	liblz4
		? `\nliblz4 ${liblz4.version} fast mode (LZ4_compress_default) sizes: ${sets.map((d, i) => `${d.key} ${liblz4.sizes[i]}`).join(', ')}`
		: '\nliblz4 not measured (needs python3 and liblz4.so.1)'
);
