import { describe, expect, it } from 'vitest';
import { CodecError, FLAG_COMPRESSED, MAX_SEQ } from '../../src/lib/protocol/codec.ts';
import { chatMessageJson, englishLikeText, randomBytes } from '../bench/data.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { bodyStart } from './forge-frame.ts';

// The CRC covers the header and the stored payload, so every single-bit error anywhere in a frame is
// refused (CRC-32 detects all of them). Under version 1 (CRC of the payload only) 56 of the 192 header
// bits could flip unnoticed.
const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();

const samples = [
	{ name: 'empty payload', frame: codec.encode(0, 0, new Uint8Array(0)) },
	{ name: 'raw chat line', frame: codec.encode(3, 17, utf8.encode('{"text":"see you at 5?","room":"lobby"}')) },
	{ name: 'raw, largest sequence number', frame: codec.encode(255, MAX_SEQ, randomBytes(200, 5)) },
	{
		name: 'raw 1 KB chat message (compression off)',
		frame: codec.encode(4, 300, chatMessageJson(), { compress: false })
	},
	{ name: 'compressed 1 KB chat message', frame: codec.encode(4, 301, chatMessageJson()) },
	{ name: 'compressed 3 KB text (2-byte length)', frame: codec.encode(9, 123_456, englishLikeText(3000, 4)) }
];

describe('every single-bit flip of a frame is refused', () => {
	it.each(samples)('$name', ({ frame }) => {
		let detected = 0;
		const missed: string[] = [];
		const header = bodyStart(frame);
		for (let bit = 0; bit < frame.length * 8; bit++) {
			const copy = frame.slice();
			copy[bit >> 3] ^= 1 << (bit & 7);
			try {
				codec.decode(copy);
				missed.push(`bit ${bit & 7} of byte ${bit >> 3}${bit >> 3 < header ? ' (header)' : ''}`);
			} catch (error) {
				expect(error).toBeInstanceOf(CodecError);
				detected++;
			}
		}
		expect(missed).toEqual([]);
		expect(detected).toBe(frame.length * 8);
	});

	it('covers compressed and raw frames, header and payload', () => {
		expect(samples.filter((s) => s.frame[4] & FLAG_COMPRESSED).length).toBe(2);
		expect(samples.every((s) => bodyStart(s.frame) >= 6)).toBe(true);
	});
});
