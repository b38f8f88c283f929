/**
 * The transpile section of `npm run bench:swarm` (BENCH_ONLY=transpile runs it alone): the job editor's
 * Check, end to end — POST /api/swarm/<id>/jobs/compile → the app → the TRANSPILER service binding (RPC)
 * → murmur-transpiler (esbuild-wasm, KV cache) — for a source it has never seen (cold: esbuild runs)
 * against the same source again (cached: one KV read), RUNS each, interleaved so both see the same load.
 * The reference is the same route refusing a body without a source (session, owner check and body read,
 * no transpiler call): what is left above it is the transpiler's part. The first call of the isolate,
 * which also starts esbuild, is reported on its own.
 */
import { readFileSync } from 'node:fs';
import { percentile } from './local-server.ts';

const RUNS = Number(process.env.SWARM_BENCH_TRANSPILE_RUNS ?? 30);
/** A real job module (~2.7 KB): the image filter example, made unique per cold run by a comment. */
const EXAMPLE = readFileSync('src/lib/swarm/job-examples/image-filter.ts', 'utf8');

type Answer = { ok: boolean; cached?: boolean; errors?: unknown };

export async function transpileSection(base: string, swarmId: string, cookie: string): Promise<[string, string][]> {
	const post = async (body: unknown) => {
		const started = performance.now();
		const res = await fetch(`${base}/api/swarm/${swarmId}/jobs/compile`, {
			method: 'POST',
			headers: { origin: base, cookie, accept: 'application/json', 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
		return { res, answer: (await res.json()) as Answer, ms: performance.now() - started };
	};
	const compile = async (source: string) => {
		const { res, answer, ms } = await post({ source });
		if (!res.ok || !answer.ok) throw new Error(`compile: ${res.status} ${JSON.stringify(answer)}`);
		return { ms, cached: answer.cached === true };
	};
	const routeOnly = async () => {
		const { res, ms } = await post({ notSource: true });
		if (res.status !== 400) throw new Error(`route reference: expected 400, got ${res.status}`);
		return ms;
	};
	const tag = Date.now().toString(36);
	const first = await compile(`// first ${tag}\n${EXAMPLE}`);
	const cachedSource = `// cached ${tag}\n${EXAMPLE}`;
	await compile(cachedSource); // stored; every later call with it is a hit
	const cold: number[] = [];
	const cached: number[] = [];
	const route: number[] = [];
	let wrongFlags = 0;
	for (let i = 0; i < RUNS; i++) {
		const fresh = await compile(`// cold ${tag} ${i}\n${EXAMPLE}`);
		const again = await compile(cachedSource);
		route.push(await routeOnly());
		if (fresh.cached || !again.cached) wrongFlags++;
		cold.push(fresh.ms);
		cached.push(again.ms);
	}
	if (first.cached || wrongFlags) throw new Error(`transpile bench: ${wrongFlags} answers had the wrong cached flag`);
	for (const xs of [cold, cached, route]) xs.sort((a, b) => a - b);
	const p50 = (xs: number[]) => percentile(xs, 50);
	const fmt = (xs: number[]) => `p50 ${p50(xs).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;
	const beyond = (xs: number[]) => Math.max(p50(xs) - p50(route), 0.1);
	return [
		['transpile: first call (starts esbuild)', `${first.ms.toFixed(0)} ms`],
		[`transpile cold (new source), ${RUNS} runs`, fmt(cold)],
		[`transpile cached (KV hit), ${RUNS} runs`, fmt(cached)],
		[`compile route refusing at once (reference)`, fmt(route)],
		[
			'transpile cold / cached',
			`${(p50(cold) / p50(cached)).toFixed(1)}× at p50, ${(percentile(cold, 99) / percentile(cached, 99)).toFixed(1)}× at p99; beyond the route: ${beyond(cold).toFixed(1)} vs ${beyond(cached).toFixed(1)} ms p50 (${(beyond(cold) / beyond(cached)).toFixed(0)}×); every cold call transpiled, every cached one a hit`
		]
	];
}
