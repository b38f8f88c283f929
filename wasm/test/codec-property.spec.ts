import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLAG_COMPRESSED, MAX_SEQ } from '../../src/lib/protocol/codec.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { lz4jsBlocks } from '../node/references.ts';
import { leb128 } from './forge-frame.ts';

const { codec } = loadNodeCodec();
const RUNS = 1000;

/** Random bytes are incompressible; runs of a small alphabet exercise matches of every length and offset. */
const payloads = fc.oneof(
	fc.uint8Array({ maxLength: 4096 }),
	fc
		.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 300 })), { maxLength: 40 })
		.map((runs) => Uint8Array.from(runs.flatMap(([value, n]) => Array<number>(n).fill(value)))),
	fc.string({ maxLength: 3000 }).map((s) => new TextEncoder().encode(s.repeat(3)))
);

describe('codec properties (fast-check)', () => {
	it('decode(encode(frame)) gives the frame back', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 255 }),
				fc.integer({ min: 0, max: MAX_SEQ }),
				payloads,
				fc.boolean(),
				(type, seq, payload, compress) => {
					const frame = codec.encode(type, seq, payload, { compress });
					const back = codec.decode(frame);
					expect(back.type).toBe(type);
					expect(back.seq).toBe(seq);
					expect(back.payload).toEqual(payload);
					// Compressed only when asked and strictly smaller than the raw frame (5 fixed bytes, the
					// sequence number, the payload, the CRC).
					const rawLength = 5 + leb128(seq).length + payload.length + 4;
					if (back.flags & FLAG_COMPRESSED) {
						expect(compress).toBe(true);
						expect(frame.length).toBeLessThan(rawLength);
					} else {
						expect(frame.length).toBe(rawLength);
					}
				}
			),
			{ numRuns: RUNS }
		);
	});

	it('our LZ4 blocks and lz4js blocks decode each other', () => {
		fc.assert(
			fc.property(payloads, (payload) => {
				expect(lz4jsBlocks.decompress(codec.compressBlock(payload), payload.length)).toEqual(payload);
				expect(codec.decompressBlock(lz4jsBlocks.compress(payload), payload.length)).toEqual(payload);
			}),
			{ numRuns: RUNS }
		);
	});

	it('any single-byte change to a frame is a CodecError or a still-valid frame, never a crash', () => {
		fc.assert(
			fc.property(payloads, fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, where, xor) => {
				const frame = codec.encode(1, 1, payload);
				frame[where % frame.length] ^= xor;
				try {
					codec.decode(frame);
				} catch (error) {
					expect((error as Error).name).toBe('CodecError');
				}
			}),
			{ numRuns: RUNS }
		);
	});
});
