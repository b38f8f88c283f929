import { json } from '@sveltejs/kit';
import { version } from '$app/environment';
import { sql } from 'drizzle-orm';
import { getDb } from '$lib/server/db';
import { MIGRATION_FIX, isMissingSchema } from '$lib/server/db/errors';
import type { RequestHandler } from './$types';

/** For load balancers and uptime checks: is the worker up, and can it reach a migrated D1? */
export const GET: RequestHandler = async ({ platform }) => {
	const started = Date.now();
	let d1: { ok: boolean; ms: number; error?: string; fix?: string };
	try {
		await getDb(platform!.env).run(sql`select count(*) from users`);
		d1 = { ok: true, ms: Date.now() - started };
	} catch (error) {
		d1 = {
			ok: false,
			ms: Date.now() - started,
			error: String(error instanceof Error ? error.message : error),
			...(isMissingSchema(error) ? { fix: MIGRATION_FIX } : {})
		};
	}
	return json(
		{ status: d1.ok ? 'ok' : 'degraded', version, d1 },
		{ status: d1.ok ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
};
