// Loads the built codec in Node (tests, fuzzing, benchmarks): compiled from the file that
// `npm run build:wasm` writes, the same bytes the worker and the browser load.
import { readFileSync } from 'node:fs';
import { createCodec, type Codec, type CodecOptions } from '../../src/lib/protocol/codec.ts';

const WASM_PATH = new URL('../build/codec.wasm', import.meta.url);

let compiled: WebAssembly.Module | undefined;

export function codecModule(): WebAssembly.Module {
	compiled ??= new WebAssembly.Module(readFileSync(WASM_PATH));
	return compiled;
}

/** Each call instantiates a fresh module, so a test can watch memory growth in isolation. */
export function loadNodeCodec(options?: CodecOptions): { codec: Codec; memory: WebAssembly.Memory } {
	const instance = new WebAssembly.Instance(codecModule(), {});
	return {
		codec: createCodec(instance, options),
		memory: instance.exports.memory as WebAssembly.Memory
	};
}
