// Compiles the AssemblyScript codec (wasm/assembly) to wasm/build/codec.wasm with the asc compiler from
// node_modules. Run by `npm run build:wasm`, which `npm run build`, `npm start` and `npm test` run first.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
await mkdir(here('./build'), { recursive: true });

const { error, stderr } = await asc.main([
	here('./assembly/index.ts'),
	'--outFile',
	here('./build/codec.wasm'),
	'--optimizeLevel',
	'3',
	'--shrinkLevel',
	'0',
	'--converge',
	// We never allocate managed objects, so the smallest runtime; it needs one initial page or the first
	// write lands outside a 0-page memory.
	'--runtime',
	'stub',
	'--initialMemory',
	'1',
	// No env.abort import: instantiation needs no imports, and failed assertions trap (the wrapper turns
	// any trap into a CodecError).
	'--use',
	'abort=',
	// 16-byte copies in the LZ4 paths; every engine we target (V8 in workerd, Chromium, Node) has SIMD.
	'--enable',
	'simd'
]);
if (error) {
	console.error(stderr.toString());
	console.error(`build:wasm failed: ${error.message}`);
	process.exit(1);
}
console.log('build:wasm: wasm/build/codec.wasm');
