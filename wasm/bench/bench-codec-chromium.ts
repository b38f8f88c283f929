// `npm run bench:codec`, Chromium half: the same workloads as the Node half (workloads.ts) in real
// Chromium through Playwright, ours (SIMD and scalar builds) beside lz4-wasm and hash-wasm, since
// browsers encode half of all packets. The harness stays out of the app: esbuild bundles
// chromium/bench-worker.ts with the reference libraries in memory, a throwaway local HTTP server
// serves it, and Chromium runs it in a Web Worker. CHROMIUM_PATH picks the browser binary.
// BENCH_CODEC_OPS / BENCH_CODEC_DATA pick a section, as in the Node half. The blocks ours wrote in
// Chromium are checked against liblz4's and lz4-napi's sizes here, in Node.
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { liblz4BlockSizes } from '../node/liblz4.ts';
import { lz4NapiBlocks } from '../node/references.ts';
import {
	datasets,
	formatResults,
	ratioTargets,
	sectionsFrom,
	type Row,
	type SizeReference,
	type Target
} from './workloads.ts';

const here = (path: string) => new URL(path, import.meta.url).pathname;
const { values: args } = parseArgs({ options: { baseline: { type: 'string' } } });
const baseline = args.baseline ? readFileSync(args.baseline) : undefined;
const sections = sectionsFrom(process.env.BENCH_CODEC_OPS, process.env.BENCH_CODEC_DATA);

/**
 * lz4-wasm-nodejs is wasm-bindgen's Node build: it reads its .wasm with fs and path and takes
 * TextDecoder from util. In the worker, fs hands back the bytes esbuild inlined.
 */
const nodeShims: Plugin = {
	name: 'node-shims',
	setup(b) {
		b.onResolve({ filter: /^(fs|path|util)$/ }, (args) => ({ path: args.path, namespace: 'shim' }));
		b.onLoad({ filter: /.*/, namespace: 'shim' }, (args) => ({
			resolveDir: here('.'),
			contents: {
				fs: `import bytes from 'lz4-wasm-nodejs/lz4_wasm_nodejs_bg.wasm'; export function readFileSync() { return bytes; }`,
				path: 'export function join(...parts) { return parts.join("/"); }',
				util: 'export const TextDecoder = globalThis.TextDecoder; export const TextEncoder = globalThis.TextEncoder;'
			}[args.path]
		}));
	}
};

const bundle = await build({
	entryPoints: [here('./chromium/bench-worker.ts')],
	bundle: true,
	write: false,
	format: 'iife',
	platform: 'browser',
	target: 'es2022',
	loader: { '.wasm': 'binary' },
	define: { __dirname: '"."' },
	plugins: [nodeShims],
	logLevel: 'error'
});
const script = bundle.outputFiles[0].contents;
const page = `<!doctype html><meta charset="utf-8"><title>bench:codec</title><script>
const worker = new Worker('/bench.js');
worker.onmessage = (event) => { window.benchResult = event.data; };
fetch('/baseline.wasm').then((r) => (r.ok ? r.arrayBuffer() : undefined)).then((b) =>
	worker.postMessage({ baseline: b && new Uint8Array(b), sections: ${JSON.stringify(sections)} }));
</script>`;

const server = createServer((request, response) => {
	if (request.url === '/bench.js') {
		response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
	} else if (request.url === '/baseline.wasm') {
		if (baseline) response.writeHead(200, { 'content-type': 'application/wasm' }).end(baseline);
		else response.writeHead(404).end();
	} else response.writeHead(200, { 'content-type': 'text/html' }).end(page);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || undefined });
try {
	const tab = await browser.newPage();
	await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
	const handle = await tab.waitForFunction(() => (window as { benchResult?: unknown }).benchResult, null, {
		timeout: 15 * 60_000,
		polling: 500
	});
	const result = (await handle.jsonValue()) as {
		rows: Row[];
		targets: Target[];
		/** Our block size by input key, as written in Chromium. */
		sizes: [string, number][];
		userAgent: string;
		error?: string;
	};
	if (result.error) throw new Error(`bench in Chromium failed: ${result.error}`);
	const sets = datasets(sections);
	const liblz4 = liblz4BlockSizes(sets.map((d) => d.bytes));
	const references: SizeReference[] = [
		...(liblz4
			? [{ name: `liblz4 ${liblz4.version} fast`, sizes: new Map(sets.map(({ key }, i) => [key, liblz4.sizes[i]])) }]
			: []),
		{ name: 'lz4-napi', sizes: new Map(sets.map(({ key, bytes }) => [key, lz4NapiBlocks.compress(bytes).length])) }
	];
	result.targets.push(...ratioTargets(sets, new Map(result.sizes), references));
	console.log(`\nChromium ${browser.version()} (${result.userAgent}), same machine, Web Worker`);
	console.log(
		'MB/s of uncompressed bytes per second of wall-clock time (median of rounds; ours ÷ this: median of per-round ratios); Ratio = original ÷ compressed size.\n'
	);
	console.log(formatResults(result.rows, result.targets));
} finally {
	await browser.close();
	server.close();
}
