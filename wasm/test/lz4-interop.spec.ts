import { describe, expect, it } from 'vitest';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { lz4jsBlocks, lz4NapiBlocks, lz4WasmBlocks } from '../node/references.ts';
import { sampleInputs } from './sample-inputs.ts';

// "Real LZ4": our blocks decode with independent implementations and theirs decode with ours, in both
// builds of the module (SIMD and scalar).
const references = [lz4jsBlocks, lz4WasmBlocks, lz4NapiBlocks];
const cases = (['simd', 'scalar'] as const).flatMap((build) =>
	sampleInputs().map((input) => ({ ...input, build, codec: loadNodeCodec(undefined, build).codec }))
);

describe.each(cases)('LZ4 block interop ($build build): $name', ({ bytes, codec }) => {
	const ours = codec.compressBlock(bytes);

	it.each(references)('our block decodes with $name', (reference) => {
		expect(reference.decompress(ours, bytes.length)).toEqual(bytes);
	});

	it.each(references)('we decode the block of $name', (reference) => {
		expect(codec.decompressBlock(reference.compress(bytes), bytes.length)).toEqual(bytes);
	});

	it('stays within the LZ4 worst-case bound', () => {
		expect(ours.length).toBeLessThanOrEqual(bytes.length + Math.floor(bytes.length / 255) + 16);
	});
});
