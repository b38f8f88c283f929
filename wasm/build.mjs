// Compiles the AssemblyScript codec (wasm/assembly) with the asc compiler from node_modules, twice:
// wasm/build/codec.wasm uses WebAssembly SIMD (16-byte LZ4 copies, the 16-lane CRC kernel), and
// wasm/build/codec-scalar.wasm is the same source without it, for runtimes that lack SIMD. The loaders
// pick one at load time (src/lib/protocol/codec-build.ts). Run by `npm run build:wasm`, which
// `npm run build`, `npm start` and `npm test` run first.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
await mkdir(here('./build'), { recursive: true });

const builds = [
	// Every engine we target (V8 in workerd, Chromium, Node, current Firefox and Safari) has SIMD.
	{ file: 'codec.wasm', flags: ['--enable', 'simd'] },
	// The source checks ASC_FEATURE_SIMD and falls back to u64 copies and the slicing-by-16 CRC.
	{ file: 'codec-scalar.wasm', flags: [] }
];

for (const { file, flags } of builds) {
	const { error, stderr } = await asc.main([
		here('./assembly/index.ts'),
		'--outFile',
		here(`./build/${file}`),
		'--optimizeLevel',
		'3',
		'--shrinkLevel',
		'0',
		'--converge',
		// We never allocate managed objects, so the smallest runtime. Three initial pages hold the static
		// data (the 128 KiB LZ4 hash table and the CRC tables); the scratch buffers grow behind them.
		'--runtime',
		'stub',
		'--initialMemory',
		'3',
		// No env.abort import: instantiation needs no imports, and failed assertions trap (the wrapper turns
		// any trap into a CodecError).
		'--use',
		'abort=',
		...flags
	]);
	if (error) {
		console.error(stderr.toString());
		console.error(`build:wasm failed (${file}): ${error.message}`);
		process.exit(1);
	}
	console.log(`build:wasm: wasm/build/${file}`);
}
