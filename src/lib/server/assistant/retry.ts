/**
 * When to try a failed provider call again, and after how long. 429 and 5xx (and network errors) are
 * retried with exponential backoff and jitter; a `Retry-After` (seconds or an HTTP date, or the
 * OpenAI-style `retry-after-ms`) is honoured when it is no longer than `maxRetryAfterMs` — a provider
 * asking for more than that gets no retry, and the person is told to come back later.
 */
export function isRetryableStatus(status: number): boolean {
	return status === 429 || status >= 500;
}

/** The wait a response asks for, in ms, or null when it names none (or an unreadable one). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
	const ms = Number(headers.get('retry-after-ms'));
	if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
	const value = headers.get('retry-after');
	if (value === null || value.trim() === '') return null;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
	const date = Date.parse(value);
	return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export interface BackoffPolicy {
	maxRetries: number;
	backoffMs: number;
	maxRetryAfterMs: number;
}

/**
 * The delay before retry number `retry` (1-based), or null for "do not retry": out of attempts, or the
 * provider asked for a longer wait than we are willing to hold a person's request open for.
 */
export function retryDelay(
	retry: number,
	policy: BackoffPolicy,
	asked: number | null,
	random: () => number = Math.random
): number | null {
	if (retry > policy.maxRetries) return null;
	if (asked !== null) return asked <= policy.maxRetryAfterMs ? asked : null;
	const base = policy.backoffMs * 2 ** (retry - 1);
	return Math.round(base / 2 + random() * (base / 2));
}
