import { describe, expect, it } from 'vitest';
import { FUZZ_MAX_PAYLOAD, fuzzCodec } from '../fuzz/frame-fuzzer.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';

/** The CI share of fuzzing (issue: at least 100,000); `npm run fuzz:codec` runs 1,000,000. */
const CI_INPUTS = 100_000;
/**
 * Fixed seeds keep CI reproducible; the long run picks a fresh seed each time and prints it. One seed per
 * build of the module, so the scalar build's copies and CRC face the same hostile inputs.
 */
const SEEDS = [
	{ seed: 20261123, build: 'simd' },
	{ seed: 4242, build: 'scalar' }
] as const;

describe('codec fuzzing (random, mutated and forged frames; random LZ4 blocks)', () => {
	it(`answers ${CI_INPUTS.toLocaleString('en')} inputs with a frame or a CodecError`, () => {
		const perSeed = CI_INPUTS / SEEDS.length;
		const loaded = SEEDS.map(({ build }) => loadNodeCodec({ maxPayloadBytes: FUZZ_MAX_PAYLOAD }, build));
		const runs = SEEDS.map(({ seed }, i) => fuzzCodec(loaded[i].codec, perSeed, seed));
		const inputs = runs.reduce((n, r) => n + r.inputs, 0);
		expect(inputs).toBeGreaterThanOrEqual(CI_INPUTS);
		// The mix reaches every rejection path, so none of them is tested by luck alone.
		const reasons = new Set(runs.flatMap((r) => Object.keys(r.rejected)));
		for (const reason of [
			'bad-magic',
			'unsupported-version',
			'bad-header',
			'truncated',
			'length-mismatch',
			'crc-mismatch',
			'corrupt-lz4',
			'too-large'
		]) {
			expect(reasons).toContain(reason);
		}
		expect(runs.reduce((n, r) => n + r.roundTrips, 0)).toBeGreaterThan(CI_INPUTS / 10);
		// Hostile lengths never made the module allocate beyond what the limit allows.
		for (const { memory } of loaded) expect(memory.buffer.byteLength).toBeLessThanOrEqual(8 * FUZZ_MAX_PAYLOAD);
	});
});
