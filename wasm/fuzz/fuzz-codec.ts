// `npm run fuzz:codec [count] [seed]`: the long fuzz run (default 1,000,000 inputs). Prints progress,
// the totals per outcome, and whether WASM memory stayed put; exits 1 on the first failure, with the
// seed to reproduce it.
import { randomBytes } from '../bench/data.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { FUZZ_MAX_PAYLOAD, fuzzCodec, type FuzzStats } from './frame-fuzzer.ts';

const DEFAULT_COUNT = 1_000_000;
const BATCH = 100_000;

const total = Number(process.argv[2] ?? DEFAULT_COUNT);
const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
const { codec, memory } = loadNodeCodec({ maxPayloadBytes: FUZZ_MAX_PAYLOAD });

// Warm-up: the largest inputs the fuzzer can produce, so scratch buffers reach their final size first
// and any later growth would be a leak rather than a bigger frame.
const largest = randomBytes(FUZZ_MAX_PAYLOAD, seed);
codec.decode(codec.encode(0, 0, largest));
codec.compressBlock(largest);
codec.decompressBlock(codec.compressBlock(largest), FUZZ_MAX_PAYLOAD);
try {
	codec.decode(new Uint8Array(codec.maxFrameBytes));
} catch {
	// bad magic, as intended: only the copy into WASM memory mattered
}
const memoryAfterWarmUp = memory.buffer.byteLength;

const sum: FuzzStats = { inputs: 0, roundTrips: 0, accepted: 0, rejected: {} };
const started = performance.now();
for (let batch = 0; sum.inputs < total; batch++) {
	const batchSeed = seed * 1000 + batch;
	let stats: FuzzStats;
	try {
		stats = fuzzCodec(codec, Math.min(BATCH, total - sum.inputs), batchSeed);
	} catch (error) {
		console.error(`FAILED in batch seed ${batchSeed}: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	}
	sum.inputs += stats.inputs;
	sum.roundTrips += stats.roundTrips;
	sum.accepted += stats.accepted;
	for (const [reason, n] of Object.entries(stats.rejected)) sum.rejected[reason] = (sum.rejected[reason] ?? 0) + n;
	console.log(`${sum.inputs.toLocaleString('en')} inputs, ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
console.log(
	`seed ${seed}: ${sum.inputs.toLocaleString('en')} inputs, ${sum.roundTrips.toLocaleString('en')} round trips,`
);
console.log(`accepted ${sum.accepted.toLocaleString('en')}, rejected by reason: ${JSON.stringify(sum.rejected)}`);
const memoryEnd = memory.buffer.byteLength;
console.log(`WASM memory: ${memoryAfterWarmUp} bytes after warm-up, ${memoryEnd} at the end`);
if (memoryEnd !== memoryAfterWarmUp) {
	console.error('FAILED: WASM memory grew after warm-up');
	process.exit(1);
}
console.log('OK: every input gave a frame or a CodecError');
