import { CHAT_HISTORY_BURST, CHAT_HISTORY_WINDOW_MS } from '$lib/protocol/chat-limits';
import type { BucketLimit } from '$lib/server/realtime/token-bucket';

/** A ChatRoom's rate budgets: how the send budget is configured, scroll-back's, and the refusal. */

/** "<burst>/<window ms>" (e.g. "10/10000"), or null for empty or malformed values (the default then applies). */
export function parseRateLimit(value: string | undefined): BucketLimit | null {
	const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,12})\s*$/.exec(value ?? '');
	if (!match) return null;
	const [burst, windowMs] = [Number(match[1]), Number(match[2])];
	return burst >= 1 && windowMs >= 1 ? { burst, windowMs } : null;
}

/** Scroll-back's budget (CHAT_HISTORY_BURST per CHAT_HISTORY_WINDOW_MS). */
export const HISTORY_LIMIT = { burst: CHAT_HISTORY_BURST, windowMs: CHAT_HISTORY_WINDOW_MS };

/** A request over its budget: becomes the `rate-limited` error frame or REST 429, with its pacing. */
export class RateLimited extends Error {
	constructor(
		readonly retryAfterMs: number,
		/** How often one more token comes back once the bucket is empty. */
		readonly everyMs: number,
		what = 'send'
	) {
		super(`Slow down: you can ${what} again in ${Math.ceil(retryAfterMs / 1000)} s.`);
		this.name = 'RateLimited';
	}
}
