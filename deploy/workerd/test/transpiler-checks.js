// Behaviour checks for the TRANSPILER binding on bare workerd (run.mjs, conformance.capnp): the real
// murmur-transpiler bundle (esbuild-wasm) with its cache in the self-hosted KV stand-in, bound as
// murmur.capnp binds it for the app. The same behaviours are checked under Miniflare by
// src/lib/server/swarm/transpile.spec.ts. Plain JS, as workerd loads it without a bundler.

import { assert, checkRunner, deepEqual, equal } from './checks.js';

/** A job module that differs per run (`tag`), so "not cached" means this run's first call. */
export function jobSource(tag, body = 'return chunk * 2;') {
	return [
		`// conformance ${tag}`,
		'export function split(input: { n: number }): number[] { return Array.from({ length: input.n }, (_, i) => i); }',
		`export function run(chunk: number): number { ${body} }`,
		'export function merge(results: number[]): number { return results.reduce((a, b) => a + b, 0); }'
	].join('\n');
}

/** Runs every check against `transpiler` (the binding) and answers `[{ name, ok, detail }]`. */
export async function checkTranspiler(transpiler, tag = String(Date.now())) {
	const { results, check } = checkRunner();
	const source = jobSource(tag);
	await check('transpiler: a TypeScript job module becomes an ES module, over RPC', async () => {
		const result = await transpiler.transpile(source);
		equal(result.ok, true);
		equal(result.cached, false);
		assert(/^[0-9a-f]{64}$/.test(result.key), 'a SHA-256 key');
		assert(result.code.includes('function run(chunk) {') && /export \{/.test(result.code), 'types gone, exports kept');
	});
	await check('transpiler: the same source again is a KV cache hit, not a second transpile', async () => {
		const before = await transpiler.stats();
		const again = await transpiler.transpile(source);
		const after = await transpiler.stats();
		equal(again.cached, true);
		equal(after.transpiles - before.transpiles, 0);
		equal(after.cacheHits - before.cacheHits, 1);
	});
	await check('transpiler: compile errors come back as data with line and column', async () => {
		const result = await transpiler.transpile(jobSource(tag, 'return chunk *;'));
		deepEqual(result, { ok: false, errors: [{ line: 3, column: 60, message: 'Unexpected ";"' }], cached: false });
	});
	await check('transpiler: a source over 64 KiB is refused before any work', async () => {
		const before = await transpiler.stats();
		const result = await transpiler.transpile(`${source}\n// ${'x'.repeat(64 * 1024)}`);
		const after = await transpiler.stats();
		deepEqual(result.errors, [{ line: 0, column: 0, message: 'The job module is over 64 KiB; keep it smaller.' }]);
		equal(after.refused - before.refused, 1);
		equal(after.transpiles - before.transpiles, 0);
	});
	return results;
}
