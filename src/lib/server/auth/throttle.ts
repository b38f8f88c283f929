import { eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { authThrottle } from '$lib/server/db/schema';

/**
 * Sign-in throttling: fixed 15-minute windows of failure counters in D1 (shared by every isolate, unlike
 * memory), as OWASP's Authentication Cheat Sheet ("Login Throttling") and its device-cookie scheme describe.
 *
 * A lockout keyed on the account alone lets anyone lock the owner out everywhere with five wrong passwords,
 * so the tight limit is per (account, client): the place that guesses is stopped, the owner signing in from
 * their own device is not. A client is its address (CF-Connecting-IP) or, where the platform reports none,
 * a signed device cookie; clients with neither (or a forged cookie) share one `anonymous` budget per
 * account, so minting cookie values does not multiply tries (see clientKey in sign-in.ts).
 *
 * - per (account, client): 5 failures — stops online guessing from one place (OWASP ASVS 2.2.1);
 * - per account: 50 failures from all clients together — a ceiling on a distributed guess (ten places at
 *   five each); reaching it pauses sign-in to that account for everyone until the window ends;
 * - per client: 30 failures across all accounts — slows one place spraying a common password over many
 *   accounts; higher than 5 because many people share an address behind NAT.
 *
 * A refused attempt is not counted (it never reaches the password check), so a blocked client cannot push
 * the account towards its ceiling. A successful sign-in clears only that client's counter for the account.
 */
export const CLIENT_ACCOUNT_FAILURE_LIMIT = 5;
export const ACCOUNT_FAILURE_LIMIT = 50;
export const CLIENT_FAILURE_LIMIT = 30;
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;

export interface ThrottleKeys {
	/** A stable key for where the attempt comes from: `ip:<address>`, `device:<cookie>` or `anonymous`. */
	client: string;
	account: string;
}

/** Which counter refused an attempt: the account's (everyone waits) or only this client's. */
export type ThrottleScope = 'account' | 'client';

export interface ThrottleVerdict {
	/** Seconds until another attempt is allowed; 0 when the attempt may go ahead. */
	retryAfter: number;
	scope: ThrottleScope | null;
}

const accountKey = (account: string) => `user:${account.toLowerCase()}`;
const pairKey = ({ client, account }: ThrottleKeys) => `pair:${account.toLowerCase()}|${client}`;

function countersOf(keys: ThrottleKeys) {
	return [
		{ key: pairKey(keys), limit: CLIENT_ACCOUNT_FAILURE_LIMIT, scope: 'client' as const },
		{ key: `client:${keys.client}`, limit: CLIENT_FAILURE_LIMIT, scope: 'client' as const },
		{ key: accountKey(keys.account), limit: ACCOUNT_FAILURE_LIMIT, scope: 'account' as const }
	];
}

/** Whether this client may try this account now; when not, how long to wait and whose counter is full. */
export async function throttleVerdict(db: Db, keys: ThrottleKeys, now = Date.now()): Promise<ThrottleVerdict> {
	const counters = countersOf(keys);
	const rows = await db
		.select()
		.from(authThrottle)
		.where(
			inArray(
				authThrottle.key,
				counters.map((c) => c.key)
			)
		);
	const full = counters.flatMap(({ key, limit, scope }) => {
		const row = rows.find((r) => r.key === key);
		if (!row || row.windowEndsAt.getTime() <= now || row.failures < limit) return [];
		return [{ scope, wait: Math.ceil((row.windowEndsAt.getTime() - now) / 1000) }];
	});
	// The account's ceiling is the one worth naming: no other device or address would help.
	const account = full.find((f) => f.scope === 'account');
	if (account) return { retryAfter: account.wait, scope: 'account' };
	if (full.length > 0) return { retryAfter: Math.max(...full.map((f) => f.wait)), scope: 'client' };
	return { retryAfter: 0, scope: null };
}

export async function recordFailure(db: Db, keys: ThrottleKeys, now = Date.now()) {
	const windowEndsAt = new Date(now + THROTTLE_WINDOW_MS);
	// One upsert per counter, so concurrent failures cannot lose increments; and expired windows are
	// deleted on the way, so the table holds at most one window's worth of failures.
	const upserts = countersOf(keys).map(({ key }) =>
		db
			.insert(authThrottle)
			.values({ key, failures: 1, windowEndsAt })
			.onConflictDoUpdate({
				target: authThrottle.key,
				set: {
					failures: sql`case when ${authThrottle.windowEndsAt} > ${now} then ${authThrottle.failures} + 1 else 1 end`,
					windowEndsAt: sql`case when ${authThrottle.windowEndsAt} > ${now} then ${authThrottle.windowEndsAt} else ${windowEndsAt.getTime()} end`
				}
			})
	);
	await db.batch([db.delete(authThrottle).where(lte(authThrottle.windowEndsAt, new Date(now))), ...upserts]);
}

/**
 * A successful sign-in clears this client's counter for the account. The account's ceiling and the
 * client's spray counter stay, so a correct password from one place does not reopen guessing elsewhere.
 */
export async function clearClientFailures(db: Db, keys: ThrottleKeys) {
	await db.delete(authThrottle).where(eq(authThrottle.key, pairKey(keys)));
}
