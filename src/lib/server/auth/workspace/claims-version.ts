import type { WorkspaceAuthEnv } from './secrets';

/**
 * Each user's workspace claims version, in KV (WORKSPACE_CLAIMS_VERSION) under `user:<id>`. A token
 * carries the version it was issued at; when the user's memberships change the version moves on and
 * every older token is stale, for sockets and for new connections alike.
 */

/**
 * The worker may trust a version it read this recently. A few seconds of staleness costs little because
 * the Durable Object re-reads KV on every connect and revocation closes open sockets directly.
 */
export const VERSION_CACHE_MS = 5_000;
/** Bounds the per-isolate cache so a flood of distinct users cannot grow memory without limit. */
const VERSION_CACHE_MAX_ENTRIES = 10_000;

const cache = new Map<string, { version: number; until: number }>();

export function claimsVersionKey(userId: string): string {
	return `user:${userId}`;
}

/** The user's current version (0 when never bumped). `fresh` skips the worker cache. */
export async function readClaimsVersion(env: WorkspaceAuthEnv, userId: string, fresh = false): Promise<number> {
	const now = Date.now();
	const hit = cache.get(userId);
	if (!fresh && hit && hit.until > now) return hit.version;
	const raw = await env.WORKSPACE_CLAIMS_VERSION.get(claimsVersionKey(userId));
	const version = raw === null ? 0 : Number(raw) || 0;
	if (cache.size >= VERSION_CACHE_MAX_ENTRIES) cache.clear();
	cache.set(userId, { version, until: now + VERSION_CACHE_MS });
	return version;
}

/**
 * Moves the user's version on after a membership change. The new value is at least the current time
 * in ms, not just +1: two concurrent bumps doing read-then-write could otherwise both write the same
 * value, and a token issued between them would survive the second change.
 */
export async function bumpClaimsVersion(env: WorkspaceAuthEnv, userId: string): Promise<number> {
	const current = await readClaimsVersion(env, userId, true);
	const next = Math.max(current + 1, Date.now());
	await env.WORKSPACE_CLAIMS_VERSION.put(claimsVersionKey(userId), String(next));
	cache.set(userId, { version: next, until: Date.now() + VERSION_CACHE_MS });
	return next;
}
