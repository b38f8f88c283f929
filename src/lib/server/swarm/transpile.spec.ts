import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { freshJob } from '../../../testing/job-sources';
import { compileJob, MAX_SOURCE_BYTES, TranspilerUnavailable } from './transpile';

/** Counters of the real murmur-transpiler worker (auxiliary worker, real esbuild-wasm), read over RPC. */
const stats = () => env.TRANSPILER.stats();

describe('the transpiler worker through the TRANSPILER binding', { timeout: 30_000 }, () => {
	it('turns a TypeScript job module into an ES2022 module with split, run and merge', async () => {
		const result = await compileJob(env, freshJob('const twice: number = chunk * 2;\n\treturn twice;'));
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.code).not.toContain(': number'); // types are gone
		expect(result.code).toContain('const twice = chunk * 2;');
		expect(result.code).toMatch(/export \{[^}]*merge,[^}]*run,[^}]*split[^}]*\}/);
		expect(result.key).toMatch(/^[0-9a-f]{64}$/);
		expect(result.cached).toBe(false);
	});

	it('returns compile errors as data, with 1-based line and UTF-16 column', async () => {
		// Line 6 of freshJob is run's body; "π🙂" is 3 UTF-16 units but 6 UTF-8 bytes (esbuild counts bytes).
		const result = await compileJob(env, freshJob('const label = "π🙂" +;'));
		expect(result).toEqual({
			ok: false,
			errors: [{ line: 6, column: 23, message: 'Unexpected ";"' }]
		});
	});

	it('refuses imports at the import and a module without the three exports', async () => {
		const source = `import { pi } from "./math";\nimport "node:fs";\n${freshJob('return chunk * pi;')}`;
		const imports = await compileJob(env, source);
		expect(imports).toEqual({
			ok: false,
			errors: [
				{ line: 1, column: 20, message: 'A job module is one file and cannot import "./math".' },
				{ line: 2, column: 8, message: 'A job module is one file and cannot import "node:fs".' }
			]
		});
		const partial = await compileJob(env, `export const split = () => [${Math.random()}];`);
		expect(partial).toEqual({
			ok: false,
			errors: [{ line: 0, column: 0, message: 'A job module must export "run", "merge".' }]
		});
	});

	it('refuses a source over the cap before any work', async () => {
		const before = await stats();
		const huge = freshJob() + `// ${'x'.repeat(MAX_SOURCE_BYTES)}`;
		expect(await compileJob(env, huge)).toEqual({
			ok: false,
			errors: [{ line: 0, column: 0, message: 'The job module is over 64 KiB; keep it smaller.' }]
		});
		// Multi-byte text is measured in UTF-8 bytes: 30,000 "π" are 60,000 bytes, under the cap...
		const pis = `// ${'π'.repeat(30_000)}\n${freshJob()}`;
		expect((await compileJob(env, pis)).ok).toBe(true);
		// ...and 40,000 are 80,000, over it, although the string is only ~40,000 characters long.
		const morePis = `// ${'π'.repeat(40_000)}\n${freshJob()}`;
		expect((await compileJob(env, morePis)).ok).toBe(false);
		// A caller that is not the app may send anything over RPC: a clear refusal, still data.
		expect(await env.TRANSPILER.transpile({ source: 'x' } as unknown as string)).toEqual({
			ok: false,
			cached: false,
			errors: [{ line: 0, column: 0, message: 'Send the job module as a string of TypeScript.' }]
		});
		const after = await stats();
		expect(after.refused - before.refused).toBe(3);
		expect(after.transpiles - before.transpiles).toBe(1); // only the source under the cap ran esbuild
	});

	it('serves the same source from the KV cache, never transpiling it twice', async () => {
		const source = freshJob();
		const before = await stats();
		const first = await compileJob(env, source);
		const second = await compileJob(env, source);
		const [third, fourth] = await Promise.all([compileJob(env, source), compileJob(env, source)]);
		expect(first).toMatchObject({ ok: true, cached: false });
		for (const again of [second, third, fourth]) expect(again).toEqual({ ...first, cached: true });
		const after = await stats();
		expect(after.transpiles - before.transpiles).toBe(1);
		expect(after.cacheHits - before.cacheHits).toBe(3);

		// Two sources at once that are both new share nothing but are each transpiled once, even when asked twice.
		const [a, b] = [freshJob(), freshJob()];
		const both = await Promise.all([compileJob(env, a), compileJob(env, a), compileJob(env, b), compileJob(env, b)]);
		expect(both.map((r) => r.ok && r.cached).sort()).toEqual([false, false, true, true]);
		expect((await stats()).transpiles - after.transpiles).toBe(2);

		// Compile errors are deterministic too: cached, the same answer again.
		const broken = freshJob('return chunk *;');
		const beforeBroken = await stats();
		expect(await compileJob(env, broken)).toEqual(await compileJob(env, broken));
		expect((await stats()).transpiles - beforeBroken.transpiles).toBe(1);
	});

	it('treats __proto__, constructor and prototype tricks in a source as plain text', async () => {
		const source = [
			`// ${crypto.randomUUID()}`,
			'Object.prototype["polluted"] = "yes";',
			'export const __proto__ = { polluted: true };',
			'export function split(input: unknown) { return [input]; }',
			'export function run(chunk: unknown) { return chunk; }',
			'export function merge(results: unknown[]) { return results; }',
			'export { split as constructor, run as toString, merge as hasOwnProperty };'
		].join('\n');
		const result = await compileJob(env, source);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.code).toMatch(/__proto__,[\s\S]*split as constructor/);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		// A source that is only a prototype name: an ordinary missing-exports refusal.
		expect(await compileJob(env, '__proto__')).toEqual({
			ok: false,
			errors: [{ line: 0, column: 0, message: 'A job module must export "split", "run", "merge".' }]
		});
		expect(await compileJob(env, 'export const constructor = 1; export const __proto__ = 2;')).toMatchObject({
			ok: false
		});
	});

	it('throws TranspilerUnavailable (not a compile error) when the binding is missing', async () => {
		const unbound = { ...env, TRANSPILER: undefined } as unknown as Env;
		await expect(compileJob(unbound, freshJob())).rejects.toBeInstanceOf(TranspilerUnavailable);
	});
});
