// The worker conformance.capnp runs: exposes the conformance checks and a write-then-restart-then-read
// persistence check over HTTP, for run.mjs. Bindings: DB (D1), KV, R2, QUEUE and TRANSPILER as murmur.capnp
// binds them, plus D1_STORE to read the migration history directly.
import { env as moduleEnv, WorkerEntrypoint } from 'cloudflare:workers';
import { deliverBatch } from './queue-batch.js';
import { checkStores, pattern } from './conformance.js';
import { checkQueue, consumeConformance, deliveries } from './queue-conformance.js';
import { checkTranspiler, jobSource } from './transpiler-checks.js';

/** This process's id (made on first use: no randomness at global scope): a delivery recorded under another one happened before a restart. */
let boot = null;
const BOOT = () => (boot ??= crypto.randomUUID());

/** Over one SQLite row, so the persistence check also covers chunked values after a restart. */
const PERSISTED_BYTES = 2 * 1024 * 1024 + 5;

const handler = {
	async queue(batch, env) {
		await consumeConformance(batch, env.DB, BOOT());
	},

	async fetch(request, env) {
		const url = new URL(request.url);
		const { pathname } = url;
		if (pathname === '/check')
			return Response.json([...(await checkStores(env)), ...(await checkTranspiler(env.TRANSPILER))]);
		if (pathname === '/queue/check') return Response.json(await checkQueue(env));
		if (pathname === '/queue/persist/send') {
			// Delayed, so it is still waiting on disk when run.mjs restarts the process right after.
			const tag = url.searchParams.get('tag');
			await env.QUEUE.send({ tag, n: 1 }, { delaySeconds: 3 });
			return Response.json({ boot: BOOT(), delivered: await deliveries(env.DB, tag) });
		}
		if (pathname === '/queue/persist/read') {
			return Response.json({ boot: BOOT(), delivered: await deliveries(env.DB, url.searchParams.get('tag')) });
		}
		if (pathname === '/migrations') {
			// Touch every binding through the module-level env in this (first) request; /persist/read uses them
			// from a later one, as SvelteKit's worker (which imports `env`) does. The app's own avatar route,
			// in the Playwright self-host smoke, is what caught a binding holding a request-bound object.
			await Promise.all([
				moduleEnv.R2.head('warm-up'),
				moduleEnv.KV.get('warm-up'),
				moduleEnv.DB.prepare('SELECT 1').all()
			]);
			const store = env.D1_STORE.get(env.D1_STORE.idFromName('conformance'));
			const { results } = await env.DB.prepare('SELECT body FROM fixture_notes').all();
			return Response.json({ applied: await store.appliedMigrations(), notes: results.map((r) => r.body) });
		}
		if (pathname === '/persist/write') {
			await env.DB.prepare('INSERT INTO fixture_notes (body) VALUES (?)').bind('written before restart').run();
			await env.KV.put('persisted', 'kv survives', { metadata: { n: 1 } });
			await env.TRANSPILER.transpile(jobSource('persisted'));
			await env.R2.put('persisted.bin', pattern(PERSISTED_BYTES), {
				httpMetadata: { contentType: 'application/x-test' }
			});
			return Response.json({ ok: true });
		}
		if (pathname === '/persist/read') {
			const { results } = await moduleEnv.DB.prepare('SELECT body FROM fixture_notes ORDER BY id').all();
			const kv = await moduleEnv.KV.getWithMetadata('persisted');
			const object = await moduleEnv.R2.get('persisted.bin');
			const bytes = new Uint8Array(await object.arrayBuffer());
			const expected = pattern(PERSISTED_BYTES);
			// A fresh process has transpiled nothing: a cached answer can only come from the KV stand-in's disk.
			const transpiled = await env.TRANSPILER.transpile(jobSource('persisted'));
			return Response.json({
				transpiler: {
					ok: transpiled.ok,
					cached: transpiled.cached,
					transpiles: (await env.TRANSPILER.stats()).transpiles
				},
				notes: results.map((r) => r.body),
				kv: { value: kv.value, metadata: kv.metadata },
				r2: {
					size: object.size,
					contentType: object.httpMetadata.contentType,
					intact: bytes.length === expected.length && bytes.every((b, i) => b === expected[i])
				}
			});
		}
		return new Response('Not found', { status: 404 });
	}
};

export default handler;

/** The queue stand-in delivers here, as it delivers to the app's QueueDelivery (src/worker.ts). */
export class QueueDelivery extends WorkerEntrypoint {
	deliver(queue, messages) {
		return deliverBatch(handler, this.env, this.ctx, queue, messages);
	}
}
