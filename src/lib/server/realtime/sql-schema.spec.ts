import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hasColumn, migrateSchema } from './sql-schema';

const object = () => env.RELAY_ROOM.get(env.RELAY_ROOM.idFromName(`schema-${crypto.randomUUID()}`));
const tables = (sql: SqlStorage) =>
	sql
		.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't_%' ORDER BY name")
		.toArray()
		.map((r) => r.name);

describe('DO SQLite schema migrations', () => {
	it('runs each step once, in order, and only the new ones after an upgrade', async () => {
		await runInDurableObject(object(), (_instance, state) => {
			const v1 = ['CREATE TABLE t_a (id TEXT PRIMARY KEY)'];
			migrateSchema(state.storage, 'demo', v1);
			migrateSchema(state.storage, 'demo', v1); // a second start: nothing runs (a CREATE would throw)
			expect(tables(state.storage.sql)).toEqual(['t_a']);
			const v2 = [...v1, 'ALTER TABLE t_a ADD COLUMN seen INTEGER NOT NULL DEFAULT 0', 'CREATE TABLE t_b (x)'];
			migrateSchema(state.storage, 'demo', v2);
			expect(tables(state.storage.sql)).toEqual(['t_a', 't_b']);
			expect(hasColumn(state.storage.sql, 't_a', 'seen')).toBe(true);
			// Parts are independent.
			migrateSchema(state.storage, 'other', ['CREATE TABLE t_c (y)']);
			expect(tables(state.storage.sql)).toEqual(['t_a', 't_b', 't_c']);
		});
	});

	it('rolls a failing step back with its version, so the next start tries it again', async () => {
		await runInDurableObject(object(), (_instance, state) => {
			const steps = ['CREATE TABLE t_a (id TEXT)', 'CREATE TABLE t_b (x)', 'THIS IS NOT SQL'];
			expect(() => migrateSchema(state.storage, 'demo', steps)).toThrow();
			expect(tables(state.storage.sql)).toEqual([]);
			migrateSchema(state.storage, 'demo', steps.slice(0, 2));
			expect(tables(state.storage.sql)).toEqual(['t_a', 't_b']);
		});
	});

	it('refuses storage written by a newer deploy', async () => {
		await runInDurableObject(object(), (_instance, state) => {
			migrateSchema(state.storage, 'demo', ['CREATE TABLE t_a (id TEXT)', 'CREATE TABLE t_b (x)']);
			expect(() => migrateSchema(state.storage, 'demo', ['CREATE TABLE t_a (id TEXT)'])).toThrow(/newer/);
		});
	});
});
