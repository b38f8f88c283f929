import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '../../src/lib/protocol/codec.ts';
import { chatMessageJson, englishLikeText } from '../bench/data.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';

/** The figure: a million frames in a loop must not grow memory. */
const FRAMES = 1_000_000;

describe('WASM memory growth seen by the wrapper', () => {
	it('every call after the memory grew (inside the call or before it) reads and writes the new memory', () => {
		// codec.ts keeps one view of the module's memory and replaces it when growth detached the old
		// buffer; a stale view would throw on write or read back nothing.
		const { codec, memory } = loadNodeCodec({ maxPayloadBytes: 16 * 1024 * 1024 });
		const pages = new Set<number>();
		for (let size = 1024; size <= 4 * 1024 * 1024; size *= 2) {
			const text = englishLikeText(size, size);
			const frame = codec.encode(1, size, text);
			expect(Buffer.compare(codec.decode(frame).payload, text)).toBe(0);
			const block = codec.compressBlock(text);
			expect(Buffer.compare(codec.decompressBlock(block, size), text)).toBe(0);
			expect(codec.crc32(text)).toBe(codec.crc32(text.slice()));
			pages.add(memory.buffer.byteLength);
		}
		// The loop did make the memory grow, several times.
		expect(pages.size).toBeGreaterThan(5);
	});
});

describe('WASM memory over a million frames', () => {
	it('stays the same size once the largest frame has been seen', () => {
		const { codec, memory } = loadNodeCodec();
		const chat = chatMessageJson();
		// Warm-up with the largest allowed payload: scratch buffers reach their final size here.
		const largest = englishLikeText(MAX_PAYLOAD_BYTES, 5);
		codec.decode(codec.encode(1, 1, largest));
		codec.decode(codec.encode(1, 1, largest, { compress: false }));
		const warmedUp = memory.buffer.byteLength;

		for (let i = 0; i < FRAMES; i++) {
			const frame = codec.encode(7, i, chat);
			if (codec.decode(frame).payload.length !== chat.length) throw new Error(`frame ${i} changed`);
		}
		expect(memory.buffer.byteLength).toBe(warmedUp);
		// Scratch space is bounded by the limit, not by traffic: input + output buffers, tables, a margin.
		expect(warmedUp).toBeLessThanOrEqual(4 * MAX_PAYLOAD_BYTES);
	});
});
