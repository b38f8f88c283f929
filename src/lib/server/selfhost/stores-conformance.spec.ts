import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { checkStores } from '../../../../deploy/workerd/test/conformance.js';

/**
 * The conformance checks that the self-hosted D1/KV/R2 stand-ins pass inside workerd
 * (`node deploy/workerd/test/run.mjs`), run here against Miniflare's own D1, KV and R2 — the
 * implementations wrangler dev uses — so the checks themselves are known to describe the real APIs.
 */
it('the self-host store checks hold for the real D1, KV and R2 bindings', async () => {
	const results = await checkStores({ DB: env.DB, KV: env.WORKSPACE_CLAIMS_VERSION, R2: env.IMAGES });
	expect(results.filter((r) => !r.ok)).toEqual([]);
	expect(results.length).toBeGreaterThan(20);
});
