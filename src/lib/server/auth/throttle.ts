import { eq, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { authThrottle } from '$lib/server/db/schema';

/**
 * Sign-in throttling, fixed windows in D1 (shared by all isolates, unlike memory).
 * Per account: 5 failures per 15 minutes stops online guessing of one password (OWASP ASVS 2.2.1)
 * without locking the owner out for long. Per IP: 30 failures per 15 minutes, higher because many
 * people share an address behind NAT.
 */
export const ACCOUNT_FAILURE_LIMIT = 5;
export const IP_FAILURE_LIMIT = 30;
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;

export interface ThrottleKeys {
	ip: string;
	account: string;
}

function keysOf({ ip, account }: ThrottleKeys) {
	return [
		{ key: `ip:${ip}`, limit: IP_FAILURE_LIMIT },
		{ key: `user:${account.toLowerCase()}`, limit: ACCOUNT_FAILURE_LIMIT }
	];
}

/** Seconds until another attempt is allowed, or 0 when the attempt may go ahead. */
export async function retryAfterSeconds(db: Db, keys: ThrottleKeys, now = Date.now()) {
	let wait = 0;
	for (const { key, limit } of keysOf(keys)) {
		const [row] = await db.select().from(authThrottle).where(eq(authThrottle.key, key));
		if (row && row.windowEndsAt.getTime() > now && row.failures >= limit) {
			wait = Math.max(wait, Math.ceil((row.windowEndsAt.getTime() - now) / 1000));
		}
	}
	return wait;
}

export async function recordFailure(db: Db, keys: ThrottleKeys, now = Date.now()) {
	const windowEndsAt = new Date(now + THROTTLE_WINDOW_MS);
	for (const { key } of keysOf(keys)) {
		// One statement, so concurrent failures cannot lose increments.
		await db
			.insert(authThrottle)
			.values({ key, failures: 1, windowEndsAt })
			.onConflictDoUpdate({
				target: authThrottle.key,
				set: {
					failures: sql`case when ${authThrottle.windowEndsAt} > ${now} then ${authThrottle.failures} + 1 else 1 end`,
					windowEndsAt: sql`case when ${authThrottle.windowEndsAt} > ${now} then ${authThrottle.windowEndsAt} else ${windowEndsAt.getTime()} end`
				}
			});
	}
}

/** A successful sign-in clears the account's counter (the IP's stays, so spraying is still slowed). */
export async function clearAccountFailures(db: Db, account: string) {
	await db.delete(authThrottle).where(eq(authThrottle.key, `user:${account.toLowerCase()}`));
}
