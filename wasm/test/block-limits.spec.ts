import { describe, expect, it } from 'vitest';
import { CodecError, MAX_PAYLOAD_BYTES, type CodecExports } from '../../src/lib/protocol/codec.ts';
import { codecModule, loadNodeCodec } from '../node/load-codec-node.ts';

/**
 * Issue 11 item 7: the bare-block calls are public, so their output limit is bounded like a frame's
 * payload. WASM memory never shrinks, so a limit that is merely reserved is already a leak: a 2-byte
 * block with maxOutput 2^31 − 1 used to grow the module's memory to 2 GiB.
 */

/** One token (one literal, no match) and the literal: decompresses to the single byte "A". */
const TWO_BYTE_BLOCK = Uint8Array.of(0x10, 0x41);
const HUGE = 2 ** 31 - 1;
const PAGE = 65_536;

function refusal(run: () => unknown): CodecError {
	try {
		run();
	} catch (error) {
		if (error instanceof CodecError) return error;
		throw error;
	}
	throw new Error('expected a CodecError');
}

describe('bare LZ4 blocks are bounded by the codec limit', () => {
	it('refuses a maxOutput over the limit with a clear error, before memory grows', () => {
		const { codec, memory } = loadNodeCodec();
		const before = memory.buffer.byteLength;
		for (const maxOutput of [HUGE, MAX_PAYLOAD_BYTES + 1]) {
			const error = refusal(() => codec.decompressBlock(TWO_BYTE_BLOCK, maxOutput));
			expect(error.reason).toBe('too-large');
			expect(error.message).toContain(`maxOutput of ${maxOutput} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES}`);
		}
		expect(memory.buffer.byteLength).toBe(before);
		// Up to the limit is the frame format's own payload limit, and works.
		expect(Array.from(codec.decompressBlock(TWO_BYTE_BLOCK, MAX_PAYLOAD_BYTES))).toEqual([0x41]);
	});

	it('follows a configured limit, and bounds compressBlock input the same way', () => {
		const { codec } = loadNodeCodec({ maxPayloadBytes: 4096 });
		expect(refusal(() => codec.decompressBlock(TWO_BYTE_BLOCK, 4097)).reason).toBe('too-large');
		expect(Array.from(codec.decompressBlock(TWO_BYTE_BLOCK, 4096))).toEqual([0x41]);
		expect(refusal(() => codec.compressBlock(new Uint8Array(4097))).reason).toBe('too-large');
		// A block far longer than any block of a 4096-byte payload is refused before it is copied in.
		expect(refusal(() => codec.decompressBlock(new Uint8Array(2 * 4096), 16)).reason).toBe('too-large');
		const block = codec.compressBlock(new Uint8Array(4096));
		expect(codec.decompressBlock(block, 4096)).toEqual(new Uint8Array(4096));
	});

	it('the module itself reserves only what a block can produce (at most 255 bytes per input byte)', () => {
		const instance = new WebAssembly.Instance(codecModule(), {});
		const wasm = instance.exports as unknown as CodecExports;
		expect(wasm.reserve(TWO_BYTE_BLOCK.length, 0)).toBeTruthy();
		new Uint8Array(wasm.memory.buffer).set(TWO_BYTE_BLOCK, wasm.inputPtr());
		const before = wasm.memory.buffer.byteLength;
		// The raw export, with no wrapper in front: the same 2-byte block, the largest limit it takes.
		expect(wasm.decompressBlock(TWO_BYTE_BLOCK.length, HUGE)).toBe(1);
		expect(new Uint8Array(wasm.memory.buffer)[wasm.outputPtr()]).toBe(0x41);
		expect(wasm.memory.buffer.byteLength).toBeLessThanOrEqual(before + PAGE);
	});
});
