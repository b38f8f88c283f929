// Loads the built codec in Node (tests, fuzzing, benchmarks): compiled from the files that
// `npm run build:wasm` writes, the same bytes the worker and the browser load. Tests pass a build to
// cover both; everything else gets the one this engine would pick.
import { readFileSync } from 'node:fs';
import { codecBuild, type CodecBuild } from '../../src/lib/protocol/codec-build.ts';
import { createCodec, type Codec, type CodecOptions } from '../../src/lib/protocol/codec.ts';

export const WASM_FILES: Record<CodecBuild, URL> = {
	simd: new URL('../build/codec.wasm', import.meta.url),
	scalar: new URL('../build/codec-scalar.wasm', import.meta.url)
};

const compiled = new Map<CodecBuild, WebAssembly.Module>();

export function codecModule(build: CodecBuild = codecBuild()): WebAssembly.Module {
	let module = compiled.get(build);
	if (!module) {
		module = new WebAssembly.Module(readFileSync(WASM_FILES[build]));
		compiled.set(build, module);
	}
	return module;
}

/** Each call instantiates a fresh module, so a test can watch memory growth in isolation. */
export function loadNodeCodec(
	options?: CodecOptions,
	build: CodecBuild = codecBuild()
): { codec: Codec; memory: WebAssembly.Memory } {
	const instance = new WebAssembly.Instance(codecModule(build), {});
	return {
		codec: createCodec(instance, options),
		memory: instance.exports.memory as WebAssembly.Memory
	};
}
