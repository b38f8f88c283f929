import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_FIX } from './errors';

// This file's D1 has had its tables dropped, as if `drizzle/` migrations were never applied.
beforeAll(async () => {
	const tables = await env.DB.prepare(
		"select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations'"
	).all<{ name: string }>();
	await env.DB.exec('PRAGMA foreign_keys = OFF');
	for (const { name } of tables.results) await env.DB.exec(`DROP TABLE IF EXISTS "${name}"`); // an FTS5 table drops its shadow tables with it
});

describe('a database without migrations', () => {
	it('health reports degraded with the fix', async () => {
		const response = await exports.default.fetch(new Request('http://localhost/api/health'));
		expect(response.status).toBe(503);
		const body = (await response.json()) as { status: string; d1: { ok: boolean; fix: string } };
		expect(body.status).toBe('degraded');
		expect(body.d1).toMatchObject({ ok: false, fix: MIGRATION_FIX });
	});

	it('a signed-in request gets a 503 that names the fix, not a crash', async () => {
		const response = await exports.default.fetch(
			new Request('http://localhost/', { headers: { cookie: 'murmur_session=abcdefghijklmnopqrstuvwxyz234567' } })
		);
		expect(response.status).toBe(503);
		expect(await response.text()).toContain('npm run db:migrate:local');
	});
});
