import { codecBuild } from '$lib/protocol/codec-build';
import { createCodec, type Codec, type CodecExports } from '$lib/protocol/codec';

let shared: Promise<Codec> | undefined;

/**
 * The packet codec for worker and Durable Object code, created once per isolate.
 *
 * Workers cannot compile WebAssembly from bytes, so the module must arrive as an import that wrangler
 * bundles as a `WebAssembly.Module` (both builds are bundled; `codecBuild()` picks the SIMD one wherever
 * the engine has SIMD, as workerd's V8 does). The import is dynamic because SvelteKit's post-build
 * analysis loads server modules in Node, where a static `.wasm` import (external in vite.config.ts)
 * fails. Under `vite dev`, Vite's WASM ESM integration hands back the instantiated exports instead: both work.
 */
export function loadCodec(): Promise<Codec> {
	shared ??= instantiate().catch((error: unknown) => {
		shared = undefined; // let a later call retry instead of caching the failure
		throw error;
	});
	return shared;
}

async function wasmSource(): Promise<WebAssembly.Module | CodecExports> {
	const imported: Record<string, unknown> =
		codecBuild() === 'simd' ? await import('$wasm/build/codec.wasm') : await import('$wasm/build/codec-scalar.wasm');
	return imported.default instanceof WebAssembly.Module ? imported.default : (imported as unknown as CodecExports);
}

async function instantiate(): Promise<Codec> {
	return createCodec(await wasmSource());
}
