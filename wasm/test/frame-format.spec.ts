import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
	CodecError,
	FLAG_COMPRESSED,
	FRAME_OVERHEAD_BYTES,
	MAX_FRAME_BYTES,
	MAX_PAYLOAD_BYTES,
	MAX_SEQ,
	type CodecErrorReason
} from '../../src/lib/protocol/codec.ts';
import { randomBytes } from '../bench/data.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { forgeFrame, leb128, reseal } from './forge-frame.ts';

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();

function reasonOf(run: () => unknown): CodecErrorReason | 'no error' {
	try {
		run();
	} catch (error) {
		if (error instanceof CodecError) return error.reason;
		throw error;
	}
	return 'no error';
}

/** A hand-made compressed frame with a valid CRC: `body` as the stored bytes. */
function forgeCompressed(body: Uint8Array, payloadLength: number): Uint8Array {
	return forgeFrame({ flags: FLAG_COMPRESSED, length: leb128(payloadLength), body });
}

describe('frame layout, version 2 (wasm/README.md)', () => {
	it('writes the documented bytes', () => {
		const frame = codec.encode(0x2a, 0x0102_0304_0506, utf8.encode('hi'));
		const head = [0x4d, 0x52, 0x02, 0x2a, 0x00, ...leb128(0x0102_0304_0506)];
		const crc = zlibCrc32(Uint8Array.from([...head, 0x68, 0x69]));
		expect(Array.from(frame)).toEqual([
			...[0x4d, 0x52, 0x02, 0x2a, 0x00], // magic "MR", version 2, type, flags
			...[0x86, 0x8a, 0x90, 0x98, 0xa0, 0x20], // sequence number 0x010203040506, LEB128: 6 bytes
			...[0x68, 0x69], // raw payload: no length field
			...[crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24] // CRC-32 of all of the above
		]);
	});

	it('adds 10 bytes to a raw payload with a small sequence number, at most FRAME_OVERHEAD_BYTES', () => {
		expect(codec.encode(1, 0, new Uint8Array(40)).length).toBe(50);
		expect(codec.encode(1, 200, new Uint8Array(40)).length).toBe(51);
		const big = codec.encode(1, MAX_SEQ, randomBytes(1000, 2));
		expect(big.length - 1000).toBeLessThanOrEqual(FRAME_OVERHEAD_BYTES);
	});

	it('writes the payload length only in compressed frames', () => {
		const frame = codec.encode(1, 1, new Uint8Array(300));
		expect(frame[4]).toBe(FLAG_COMPRESSED);
		expect(Array.from(frame.subarray(6, 8))).toEqual(leb128(300));
	});

	it('round-trips the extremes of type and sequence number', () => {
		for (const [type, seq] of [
			[0, 0],
			[255, MAX_SEQ],
			[7, 127],
			[7, 128]
		]) {
			const back = codec.decode(codec.encode(type, seq, new Uint8Array(0)));
			expect([back.type, back.seq, back.payload.length]).toEqual([type, seq, 0]);
		}
	});

	it('compresses only when the whole frame gets smaller', () => {
		const below = codec.decode(codec.encode(1, 1, new Uint8Array(63)));
		const at = codec.decode(codec.encode(1, 1, new Uint8Array(64)));
		const random = codec.decode(codec.encode(1, 1, randomBytes(4000, 1)));
		const refused = codec.decode(codec.encode(1, 1, new Uint8Array(4000), { compress: false }));
		expect([below.flags, at.flags, random.flags, refused.flags]).toEqual([0, FLAG_COMPRESSED, 0, 0]);
		expect(codec.encode(1, 1, randomBytes(4000, 1)).length).toBe(4000 + 10);
	});

	it('returns a payload copy that later calls do not overwrite', () => {
		const first = codec.decode(codec.encode(1, 1, utf8.encode('first message, kept by the caller')));
		codec.decode(codec.encode(1, 2, utf8.encode('second message overwrites scratch memory')));
		expect(new TextDecoder().decode(first.payload)).toBe('first message, kept by the caller');
	});

	it('accepts ArrayBuffer input and round-trips JSON', () => {
		const frame = codec.encodeJson(4, 99, { text: 'héllo', n: [1, 2] });
		expect(codec.decodeJson(frame.slice().buffer)).toEqual({ type: 4, seq: 99, value: { text: 'héllo', n: [1, 2] } });
	});
});

describe('rejections carry a reason', () => {
	const payload = utf8.encode('a payload that is long enough to be worth compressing, '.repeat(4));
	const compressed = codec.encode(1, 1, payload);
	const raw = codec.encode(1, 1, payload, { compress: false });
	const tweak = (frame: Uint8Array, change: (f: Uint8Array) => void) => {
		const copy = frame.slice();
		change(copy);
		return copy;
	};
	/** A version-1 frame as main wrote it before this format: 24-byte header, CRC of the payload only. */
	const version1 = Uint8Array.from([
		0x4d, 0x52, 0x01, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x68, 0x69
	]);

	it.each([
		['bad-magic', tweak(raw, (f) => (f[0] = 0x4e))],
		['unsupported-version', version1],
		['unsupported-version', tweak(raw, (f) => (f[2] = 3))],
		['truncated', raw.subarray(0, 9)],
		['truncated', new Uint8Array(0)],
		['crc-mismatch', raw.subarray(0, raw.length - 1)], // a cut frame no longer ends in its CRC
		['crc-mismatch', Uint8Array.of(...raw, 0)], // nor does one with a trailing byte
		['crc-mismatch', tweak(raw, (f) => (f[4] = 0x02))], // any header byte is covered
		['crc-mismatch', tweak(compressed, (f) => (f[f.length - 5] ^= 1))], // and any stored byte
		['bad-header', reseal(tweak(raw, (f) => (f[4] = 0x02)))], // unknown flag, valid CRC
		['bad-header', forgeFrame({ seq: [0x80, 0x00], body: [] })], // sequence number not in shortest form
		['bad-header', forgeFrame({ seq: [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], body: [] })], // 8 bytes
		['bad-header', forgeFrame({ seq: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], body: [] })], // ≥ 2^48
		['truncated', forgeFrame({ seq: [0x80], body: [] })], // varint runs into the CRC
		['truncated', forgeFrame({ flags: FLAG_COMPRESSED, body: [] })], // no payload length
		['length-mismatch', forgeCompressed(Uint8Array.of(0x10, 0x41), 2)], // "compressed" but not smaller
		['length-mismatch', forgeCompressed(compressed.subarray(8, -4), payload.length + 1)], // decodes short
		['corrupt-lz4', forgeCompressed(Uint8Array.of(0x10, 0x41, 0x00, 0x00), 100)], // match offset 0
		['corrupt-lz4', forgeCompressed(Uint8Array.of(0x10, 0x41, 0x05, 0x00), 100)], // offset before start
		['corrupt-lz4', forgeCompressed(Uint8Array.of(0xf0, 0xff, 0xff), 1000)], // literal length runs off the end
		['too-large', forgeCompressed(Uint8Array.of(0x10, 0x41), MAX_PAYLOAD_BYTES + 1)]
	] as [CodecErrorReason, Uint8Array][])('%s', (reason, frame) => {
		expect(reasonOf(() => codec.decode(frame))).toBe(reason);
	});

	it('names the version it met and the one it reads', () => {
		expect(() => codec.decode(version1)).toThrow(
			'unsupported-version: frame format version 1; this codec reads version 2'
		);
	});

	it('refuses a frame longer than MAX_FRAME_BYTES before copying it', () => {
		expect(reasonOf(() => codec.decode(new Uint8Array(MAX_FRAME_BYTES + 1)))).toBe('too-large');
	});

	it('refuses bad arguments to encode', () => {
		const bytes = new Uint8Array(1);
		expect(reasonOf(() => codec.encode(256, 0, bytes))).toBe('bad-argument');
		expect(reasonOf(() => codec.encode(-1, 0, bytes))).toBe('bad-argument');
		expect(reasonOf(() => codec.encode(1.5, 0, bytes))).toBe('bad-argument');
		expect(reasonOf(() => codec.encode(1, -1, bytes))).toBe('bad-argument');
		expect(reasonOf(() => codec.encode(1, MAX_SEQ + 1, bytes))).toBe('bad-argument');
		expect(reasonOf(() => codec.encode(1, Number.NaN, bytes))).toBe('bad-argument');
		expect(reasonOf(() => codec.encode(1, 0, 'text' as unknown as Uint8Array))).toBe('bad-argument');
		expect(reasonOf(() => codec.encode(1, 0, new Uint8Array(MAX_PAYLOAD_BYTES + 1)))).toBe('too-large');
		expect(reasonOf(() => codec.encodeJson(1, 0, undefined))).toBe('bad-argument');
	});

	it('reports undecodable JSON as bad-json', () => {
		expect(reasonOf(() => codec.decodeJson(codec.encode(1, 0, utf8.encode('{nope'))))).toBe('bad-json');
		expect(reasonOf(() => codec.decodeJson(codec.encode(1, 0, Uint8Array.of(0xff, 0xfe))))).toBe('bad-json');
	});
});

describe('decompression bombs', () => {
	const small = loadNodeCodec({ maxPayloadBytes: 4096 });
	// 1 MB of zeros is a 4 KB LZ4 block: a bomb of ratio ~250 (made by a codec whose limit allows 1 MB).
	const bombBlock = codec.compressBlock(new Uint8Array(1_000_000));

	it('refuses a declared size over the limit before decompressing', () => {
		expect(reasonOf(() => small.codec.decode(forgeCompressed(bombBlock, 1_000_000)))).toBe('too-large');
	});

	it('refuses a raw payload over the limit', () => {
		expect(reasonOf(() => small.codec.decode(forgeFrame({ body: new Uint8Array(4097) })))).toBe('too-large');
	});

	it('stops a block that expands past its declared size, without allocating for it', () => {
		const before = small.memory.buffer.byteLength;
		expect(reasonOf(() => small.codec.decode(forgeCompressed(bombBlock.subarray(0, 1000), 4096)))).toBe('corrupt-lz4');
		expect(small.memory.buffer.byteLength).toBeLessThanOrEqual(before + 65536);
	});

	it('applies a configured limit exactly', () => {
		const at = small.codec.encode(1, 1, new Uint8Array(4096));
		expect(small.codec.decode(at).payload.length).toBe(4096);
		expect(reasonOf(() => small.codec.encode(1, 1, new Uint8Array(4097)))).toBe('too-large');
		expect(reasonOf(() => small.codec.decode(codec.encode(1, 1, new Uint8Array(4097))))).toBe('too-large');
	});
});
