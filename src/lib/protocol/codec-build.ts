/**
 * Which codec.wasm to load. `npm run build:wasm` compiles the same AssemblyScript twice: with
 * WebAssembly SIMD (wasm/build/codec.wasm: 16-byte LZ4 copies, the 16-lane CRC-32 kernel) and without
 * (wasm/build/codec-scalar.wasm), and every loader asks this once. Both builds write identical frames.
 */

/**
 * The smallest module that needs SIMD: one function `() -> v128` doing `i8x16.swizzle` of two
 * `i8x16.splat`s, the instructions the CRC kernel is built on. Engines without SIMD reject it.
 */
// prettier-ignore
const SIMD_PROBE = new Uint8Array([
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
	0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
	0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
	0x0a, 0x0e, 0x01, 0x0c, 0x00, // code section: one 12-byte body, no locals
	0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x0e, 0x0b // splat 0, splat 0, swizzle, end
]);

export type CodecBuild = 'simd' | 'scalar';

let detected: CodecBuild | undefined;

/** 'simd' where this engine validates SIMD code, else 'scalar'. Validating compiles nothing. */
export function codecBuild(): CodecBuild {
	if (detected === undefined) {
		try {
			detected = WebAssembly.validate(SIMD_PROBE) ? 'simd' : 'scalar';
		} catch {
			detected = 'scalar';
		}
	}
	return detected;
}
