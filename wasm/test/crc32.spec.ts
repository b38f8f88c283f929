import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../bench/data.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { sampleInputs } from './sample-inputs.ts';

/** The wrapper hashes large inputs in 64 KiB pieces (CRC_CHUNK_BYTES in codec.ts). */
const CHUNK = 64 * 1024;

describe.each(['simd', 'scalar'] as const)('CRC-32/IEEE equals node:zlib crc32 (%s build)', (build) => {
	const { codec } = loadNodeCodec(undefined, build);

	it('matches the standard check value', () => {
		expect(codec.crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
	});

	it('matches for every length 0..100 (all remainders of the 16-byte loop)', () => {
		const data = randomBytes(100, 9);
		for (let n = 0; n <= 100; n++) expect(codec.crc32(data.subarray(0, n))).toBe(zlibCrc32(data.subarray(0, n)));
	});

	it('matches for every length 0..3100 and every start offset 0..15 (SIMD blocks of 512 and 1024 bytes, all tails)', () => {
		const data = randomBytes(3100 + 16, 12);
		for (let n = 0; n <= 3100; n++) expect(codec.crc32(data.subarray(0, n))).toBe(zlibCrc32(data.subarray(0, n)));
		for (let at = 0; at < 16; at++) {
			const view = data.subarray(at, at + 2600);
			expect(codec.crc32(view)).toBe(zlibCrc32(view));
		}
	});

	it('matches across the wrapper chunk boundaries', () => {
		const data = randomBytes(2 * CHUNK + 1, 10);
		for (const n of [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1]) {
			expect(codec.crc32(data.subarray(0, n))).toBe(zlibCrc32(data.subarray(0, n)));
		}
	});

	it.each(sampleInputs())('matches on $name', ({ bytes }) => {
		expect(codec.crc32(bytes)).toBe(zlibCrc32(bytes));
	});

	it('hashes a view at an offset, not its whole buffer', () => {
		const data = randomBytes(1000, 11);
		expect(codec.crc32(data.subarray(3, 999))).toBe(zlibCrc32(data.subarray(3, 999)));
	});
});
