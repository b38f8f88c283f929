import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '$lib/server/db';
import {
	ACCOUNT_FAILURE_LIMIT,
	clearAccountFailures,
	IP_FAILURE_LIMIT,
	recordFailure,
	retryAfterSeconds,
	THROTTLE_WINDOW_MS
} from './throttle';

const db = getDb(env);

describe('sign-in throttling in D1', () => {
	it('blocks an account after its failure limit, until the window ends', async () => {
		const keys = { ip: '198.51.100.1', account: 'Victim' };
		const now = Date.now();
		for (let i = 0; i < ACCOUNT_FAILURE_LIMIT - 1; i++) await recordFailure(db, keys, now);
		expect(await retryAfterSeconds(db, keys, now)).toBe(0);
		await recordFailure(db, keys, now);
		expect(await retryAfterSeconds(db, keys, now)).toBe(THROTTLE_WINDOW_MS / 1000);
		// Another IP is still blocked for this account (case-insensitive).
		expect(await retryAfterSeconds(db, { ip: '203.0.113.9', account: 'victim' }, now)).toBeGreaterThan(0);
		// After the window, attempts are allowed again and the counter restarts.
		const later = now + THROTTLE_WINDOW_MS + 1;
		expect(await retryAfterSeconds(db, keys, later)).toBe(0);
		await recordFailure(db, keys, later);
		expect(await retryAfterSeconds(db, keys, later)).toBe(0);
	});

	it('blocks an IP that sprays many accounts', async () => {
		const now = Date.now();
		for (let i = 0; i < IP_FAILURE_LIMIT; i++) await recordFailure(db, { ip: '192.0.2.7', account: `a${i}` }, now);
		expect(await retryAfterSeconds(db, { ip: '192.0.2.7', account: 'fresh' }, now)).toBeGreaterThan(0);
		expect(await retryAfterSeconds(db, { ip: '192.0.2.8', account: 'fresh' }, now)).toBe(0);
	});

	it('a successful sign-in clears the account counter', async () => {
		const keys = { ip: '198.51.100.2', account: 'someone' };
		for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) await recordFailure(db, keys);
		expect(await retryAfterSeconds(db, keys)).toBeGreaterThan(0);
		await clearAccountFailures(db, 'someone');
		expect(await retryAfterSeconds(db, keys)).toBe(0);
	});
});
