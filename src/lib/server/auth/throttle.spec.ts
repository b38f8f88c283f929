import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '$lib/server/db';
import { authThrottle } from '$lib/server/db/schema';
import {
	ACCOUNT_FAILURE_LIMIT,
	clearClientFailures,
	CLIENT_ACCOUNT_FAILURE_LIMIT,
	CLIENT_FAILURE_LIMIT,
	recordFailure,
	throttleVerdict,
	THROTTLE_WINDOW_MS
} from './throttle';

const db = getDb(env);
const WINDOW_S = THROTTLE_WINDOW_MS / 1000;
const account = () => `acct${crypto.randomUUID().slice(0, 8)}`;
const OPEN = { retryAfter: 0, scope: null };

async function fail(times: number, client: string, name: string, now = Date.now()) {
	for (let i = 0; i < times; i++) await recordFailure(db, { client, account: name }, now);
}

describe('sign-in throttling in D1', () => {
	it('stops the client that guesses after 5, not the owner signing in from elsewhere', async () => {
		const victim = account();
		const attacker = { client: 'ip:198.51.100.1', account: victim };
		const owner = { client: 'ip:203.0.113.9', account: victim.toUpperCase() }; // names are case-insensitive
		const now = Date.now();
		await fail(CLIENT_ACCOUNT_FAILURE_LIMIT - 1, attacker.client, victim, now);
		expect(await throttleVerdict(db, attacker, now)).toEqual(OPEN);
		await fail(1, attacker.client, victim, now);
		expect(await throttleVerdict(db, attacker, now)).toEqual({ retryAfter: WINDOW_S, scope: 'client' });
		expect(await throttleVerdict(db, owner, now)).toEqual(OPEN);
		// A device cookie is a client of its own, as an address is.
		expect(await throttleVerdict(db, { client: 'device:abc', account: victim }, now)).toEqual(OPEN);

		// After the window the attacker may try again, and its counter starts from one.
		const later = now + THROTTLE_WINDOW_MS + 1;
		expect(await throttleVerdict(db, attacker, later)).toEqual(OPEN);
		await fail(1, attacker.client, victim, later);
		expect(await throttleVerdict(db, attacker, later)).toEqual(OPEN);
	});

	it('pauses the account for every client once all of them together reach its ceiling', async () => {
		const victim = account();
		const now = Date.now();
		const clients = ACCOUNT_FAILURE_LIMIT / CLIENT_ACCOUNT_FAILURE_LIMIT; // ten places, five guesses each
		for (let c = 0; c < clients; c++) {
			const failures = c === clients - 1 ? CLIENT_ACCOUNT_FAILURE_LIMIT - 1 : CLIENT_ACCOUNT_FAILURE_LIMIT;
			await fail(failures, `ip:192.0.2.${c}`, victim, now);
		}
		const fresh = { client: 'ip:203.0.113.200', account: victim };
		expect(await throttleVerdict(db, fresh, now)).toEqual(OPEN); // one short of the ceiling
		await fail(1, `ip:192.0.2.${clients - 1}`, victim, now + 1000);
		expect(await throttleVerdict(db, fresh, now + 1000)).toEqual({ retryAfter: WINDOW_S - 1, scope: 'account' });
		// Also for a client that is itself blocked: the account's pause is what it is told.
		expect(await throttleVerdict(db, { client: 'ip:192.0.2.0', account: victim }, now + 1000)).toMatchObject({
			scope: 'account'
		});
		expect(await throttleVerdict(db, { client: 'ip:203.0.113.200', account: account() }, now)).toEqual(OPEN);
	});

	it('slows one client spraying many accounts, and no other client', async () => {
		const now = Date.now();
		for (let i = 0; i < CLIENT_FAILURE_LIMIT; i++) await fail(1, 'ip:192.0.2.77', account(), now);
		expect(await throttleVerdict(db, { client: 'ip:192.0.2.77', account: account() }, now)).toEqual({
			retryAfter: WINDOW_S,
			scope: 'client'
		});
		expect(await throttleVerdict(db, { client: 'ip:192.0.2.78', account: account() }, now)).toEqual(OPEN);
	});

	it("a successful sign-in clears that client's counter for the account, and only that one", async () => {
		const name = account();
		const here = { client: 'ip:198.51.100.2', account: name };
		const there = { client: 'ip:198.51.100.3', account: name };
		await fail(CLIENT_ACCOUNT_FAILURE_LIMIT, here.client, name);
		await fail(CLIENT_ACCOUNT_FAILURE_LIMIT, there.client, name);
		await clearClientFailures(db, here);
		expect(await throttleVerdict(db, here)).toEqual(OPEN);
		expect((await throttleVerdict(db, there)).scope).toBe('client');
	});

	it('deletes counters whose window has ended, so the table holds one window of failures', async () => {
		const now = Date.now();
		const stale = account();
		await fail(1, 'ip:192.0.2.99', stale, now);
		const later = now + THROTTLE_WINDOW_MS + 1;
		await fail(1, 'ip:192.0.2.100', account(), later);
		const rows = await db.select().from(authThrottle);
		expect(rows.filter((r) => r.key.includes(stale) || r.key.endsWith('192.0.2.99'))).toEqual([]);
		expect(rows.filter((r) => r.key.endsWith('192.0.2.100'))).toHaveLength(2); // its pair and its own
		expect(rows.every((r) => r.windowEndsAt.getTime() > later)).toBe(true);
	});
});
