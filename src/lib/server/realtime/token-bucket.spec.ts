import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MemoryTokenBuckets, TokenBuckets } from './token-bucket';

const LIMIT = { burst: 2, windowMs: 1_000 };

describe('token buckets in Durable Object SQLite', () => {
	it('limits per key, and prunes the rows of buckets that have refilled completely', async () => {
		// Any SQLite-backed object will do; the table is the test's own.
		const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(`buckets-${crypto.randomUUID()}`));
		await runInDurableObject(stub, (_instance, state) => {
			const sql = state.storage.sql;
			const buckets = new TokenBuckets(state.storage, 'test_buckets');
			const rows = () => sql.exec<{ n: number }>('SELECT count(*) AS n FROM test_buckets').one().n;
			const t0 = 1_000_000;
			expect(buckets.take('a', LIMIT, t0)).toBe(0);
			expect(buckets.take('a', LIMIT, t0)).toBe(0);
			expect(buckets.take('a', LIMIT, t0)).toBe(500); // one token back after half the window
			expect(buckets.take('b', LIMIT, t0 + 600)).toBe(0);
			expect(rows()).toBe(2);

			// At t0 + 1000 'a' is full again (2 tokens), 'b' is not (1 + 0.8): only 'a' goes.
			expect(buckets.prune(LIMIT, t0 + 1_000)).toBe(1);
			expect(sql.exec<{ key: string }>('SELECT key FROM test_buckets').toArray()).toEqual([{ key: 'b' }]);
			// A pruned key starts again with a full bucket; the kept one still has its state.
			expect(buckets.take('a', LIMIT, t0 + 1_000)).toBe(0);
			expect(buckets.take('a', LIMIT, t0 + 1_000)).toBe(0);
			expect(buckets.take('a', LIMIT, t0 + 1_000)).toBeGreaterThan(0);

			// Many keys used once each: the table does not keep them all.
			for (let i = 0; i < 250; i++) buckets.take(`k${i}`, LIMIT, t0 + 10_000 + i * 1_000);
			expect(rows()).toBeLessThan(100);
		});
	});
});

describe('token buckets in memory', () => {
	it('limit per key like the stored ones, and hold only keys that are not full again', () => {
		const buckets = new MemoryTokenBuckets();
		const t0 = 1_000_000;
		expect(buckets.wait('a', LIMIT, t0)).toBe(0);
		expect(buckets.take('a', LIMIT, t0)).toBe(0);
		expect(buckets.take('a', LIMIT, t0)).toBe(0);
		expect(buckets.wait('a', LIMIT, t0)).toBe(500);
		expect(buckets.take('a', LIMIT, t0)).toBe(500); // refused: nothing taken
		expect(buckets.take('a', LIMIT, t0 + 500)).toBe(0);
		// Ids of any spelling are keys of a Map, not of an object.
		for (const key of ['__proto__', 'constructor', 'toString']) expect(buckets.take(key, LIMIT, t0)).toBe(0);
		expect(buckets.wait('__proto__', LIMIT, t0)).toBe(0);
		// Many keys used once each: memory does not keep them all.
		for (let i = 0; i < 1_000; i++) buckets.take(`k${i}`, LIMIT, t0 + 10_000 + i * 1_000);
		expect(buckets.size).toBeLessThan(110);
	});
});
