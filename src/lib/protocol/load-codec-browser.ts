import scalarWasmUrl from '$wasm/build/codec-scalar.wasm?url';
import simdWasmUrl from '$wasm/build/codec.wasm?url';
import { codecBuild } from './codec-build';
import { createCodec, type Codec } from './codec';

let shared: Promise<Codec> | undefined;

/**
 * The packet codec in the browser. Vite emits both builds of codec.wasm as hashed assets (`?url`) and
 * only the one this engine can run is downloaded (`codecBuild()`: SIMD almost everywhere); streaming
 * compilation starts while the bytes download. The CSP allows it through 'wasm-unsafe-eval'.
 */
export function loadBrowserCodec(): Promise<Codec> {
	shared ??= instantiate().catch((error: unknown) => {
		shared = undefined; // a failed download should not poison every later call
		throw error;
	});
	return shared;
}

async function instantiate(): Promise<Codec> {
	const response = await fetch(codecBuild() === 'simd' ? simdWasmUrl : scalarWasmUrl);
	if (!response.ok) throw new Error(`codec.wasm: HTTP ${response.status}`);
	// compileStreaming insists on `Content-Type: application/wasm`; fall back for servers that omit it.
	const module = response.headers.get('content-type')?.startsWith('application/wasm')
		? await WebAssembly.compileStreaming(response)
		: await WebAssembly.compile(await response.arrayBuffer());
	const instance = await WebAssembly.instantiate(module, {});
	return createCodec(instance);
}
