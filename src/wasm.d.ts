// wrangler (and @cloudflare/vitest-plugin) bundle `.wasm` imports as compiled modules; under `vite dev`
// the import yields the instance's exports instead, which src/lib/server/codec.ts handles.
declare module '*.wasm' {
	const module: WebAssembly.Module;
	export default module;
}
