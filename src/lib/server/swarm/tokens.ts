/**
 * Join-token policy: lifetime and the creation rate limit (pure, so tests can check the arithmetic).
 */

/** Invites last a day: long enough to pass a QR code around a room, short enough that a leaked one dies. */
export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** At most this many invites per window per swarm, so a hijacked owner session cannot mint them in bulk. */
export const TOKEN_RATE_LIMIT = 5;
export const TOKEN_RATE_WINDOW_MS = 60_000;
/** Upper bound on an invite's max uses (the bench joins 1,000 devices with one). */
export const TOKEN_MAX_USES = 10_000;

/** Milliseconds until another token may be created, given the creation times inside the window (oldest first). */
export function checkTokenRate(createdInWindow: number[], now: number): number {
	if (createdInWindow.length < TOKEN_RATE_LIMIT) return 0;
	// The oldest creation that must leave the window before one more fits.
	const blocking = createdInWindow[createdInWindow.length - TOKEN_RATE_LIMIT];
	return Math.max(1, blocking + TOKEN_RATE_WINDOW_MS - now);
}

/**
 * What an RPC returns to a route: a value, or the refusal the route answers in the one REST error shape
 * (apiError): an HTTP status, a stable code for programs and a message for people.
 */
export type RpcResult<T> =
	{ ok: true; value: T } | { ok: false; status: number; code: string; message: string; retryAfterMs?: number };
