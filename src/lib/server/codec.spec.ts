import { describe, expect, it } from 'vitest';
import { CodecError, createCodec, FLAG_COMPRESSED } from '$lib/protocol/codec';
import { loadCodec } from './codec';

// Inside workerd, the way the worker and the Durable Objects load it: wrangler-style `.wasm` import.
describe('packet codec inside workerd', () => {
	it('arrives as a compiled WebAssembly.Module (Workers cannot compile bytes)', async () => {
		const imported: { default: unknown } = await import('$wasm/build/codec.wasm');
		expect(imported.default).toBeInstanceOf(WebAssembly.Module);
	});

	it('round-trips a compressible JSON message', async () => {
		const codec = await loadCodec();
		const value = { room: 'lobby', messages: Array.from({ length: 50 }, (_, i) => ({ i, text: 'hello, world' })) };
		const frame = codec.encodeJson(3, 2 ** 40 + 7, value);
		const decoded = codec.decodeJson(frame);
		expect(decoded).toEqual({ type: 3, seq: 2 ** 40 + 7, value });
		expect(codec.decode(frame).flags & FLAG_COMPRESSED).toBe(FLAG_COMPRESSED);
	});

	it('accepts an ArrayBuffer, as WebSocket messages deliver them', async () => {
		const codec = await loadCodec();
		const frame = codec.encode(1, 0, new Uint8Array([1, 2, 3]));
		const copy = frame.slice().buffer;
		expect(Array.from(codec.decode(copy).payload)).toEqual([1, 2, 3]);
	});

	it('rejects a corrupted frame with a CodecError reason', async () => {
		const codec = await loadCodec();
		const frame = codec.encode(1, 1, new TextEncoder().encode('x'.repeat(10)), { compress: false });
		frame[frame.length - 1] ^= 0xff;
		const error = (() => {
			try {
				codec.decode(frame);
			} catch (e) {
				return e;
			}
		})();
		expect(error).toBeInstanceOf(CodecError);
		expect((error as CodecError).reason).toBe('crc-mismatch');
	});

	it('loads the SIMD build: workerd validates SIMD code, and both builds are bundled', async () => {
		expect((await loadCodec()).build).toBe('simd');
		const scalar: { default: unknown } = await import('$wasm/build/codec-scalar.wasm');
		expect(createCodec(scalar.default as WebAssembly.Module).build).toBe('scalar');
	});

	it('is created once per isolate', async () => {
		expect(await loadCodec()).toBe(await loadCodec());
	});
});
