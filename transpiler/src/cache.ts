import type { TranspileError } from './contract';
import { ESBUILD_VERSION, JOB_BUILD_OPTIONS } from './esbuild-service';

/** Bump when the stored shape or the meaning of a key changes: old entries are then simply never read. */
const CACHE_FORMAT = 1;

/** Entries expire 30 days after they were written (a later call transpiles again), so the namespace stays bounded. */
export const CACHE_TTL_SECONDS = 30 * 24 * 3600;

/** What KV holds per key: a deterministic outcome (output or compile errors), never a timeout. */
export type CachedOutcome = { ok: true; code: string } | { ok: false; errors: TranspileError[] };

/**
 * The cache key: hex SHA-256 of esbuild's version, the build options and the source, so a new esbuild or
 * new options never serve an old output, and identical sources from any swarm share one entry.
 */
export async function cacheKey(source: string): Promise<string> {
	const material = JSON.stringify([CACHE_FORMAT, ESBUILD_VERSION, JOB_BUILD_OPTIONS, source]);
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material));
	return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The stored outcome, or null when absent or not in the current shape (then it is transpiled again). */
export function parseCached(stored: unknown): CachedOutcome | null {
	if (typeof stored !== 'object' || stored === null) return null;
	const value = stored as Record<string, unknown>;
	if (value.ok === true && typeof value.code === 'string') return { ok: true, code: value.code };
	if (value.ok === false && Array.isArray(value.errors)) return { ok: false, errors: value.errors as TranspileError[] };
	return null;
}
