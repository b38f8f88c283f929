import binaryen from 'binaryen';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codecBuild } from '../../src/lib/protocol/codec-build.ts';
import { loadNodeCodec, WASM_FILES } from '../node/load-codec-node.ts';
import { sampleInputs } from './sample-inputs.ts';

// The two builds of the module: the scalar one must run where SIMD does not exist, and both must write
// the same bytes, so a frame encoded by either decodes with the other.

/** Validates a module as an engine with only these features would. */
function validatesWith(bytes: Uint8Array, features: number): boolean {
	const module = binaryen.readBinary(bytes);
	try {
		module.setFeatures(features);
		return module.validate() !== 0;
	} finally {
		module.dispose();
	}
}

const F = binaryen.Features;
/** What codec-scalar.wasm may use: WebAssembly 1.0 plus the post-MVP features every engine has had for years. */
const NO_SIMD = F.MVP | F.SignExt | F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt;

describe('codec builds', () => {
	it('codec-scalar.wasm validates without SIMD; codec.wasm needs it', () => {
		expect(validatesWith(readFileSync(WASM_FILES.scalar), NO_SIMD)).toBe(true);
		expect(validatesWith(readFileSync(WASM_FILES.simd), NO_SIMD)).toBe(false);
		expect(validatesWith(readFileSync(WASM_FILES.simd), NO_SIMD | F.SIMD128)).toBe(true);
	});

	it('each module says which build it is, and this engine picks SIMD', () => {
		expect(loadNodeCodec(undefined, 'simd').codec.build).toBe('simd');
		expect(loadNodeCodec(undefined, 'scalar').codec.build).toBe('scalar');
		expect(codecBuild()).toBe('simd');
	});

	it.each(sampleInputs())('both write identical frames and blocks and read each other: $name', ({ bytes }) => {
		const simd = loadNodeCodec(undefined, 'simd').codec;
		const scalar = loadNodeCodec(undefined, 'scalar').codec;
		const frame = simd.encode(7, 12345, bytes);
		expect(scalar.encode(7, 12345, bytes)).toEqual(frame);
		expect(scalar.decode(frame).payload).toEqual(bytes);
		expect(simd.decode(frame).payload).toEqual(bytes);
		expect(scalar.compressBlock(bytes)).toEqual(simd.compressBlock(bytes));
		expect(scalar.crc32(bytes)).toBe(simd.crc32(bytes));
	});
});
