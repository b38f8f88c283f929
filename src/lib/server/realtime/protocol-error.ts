/**
 * A client mistake that gets the channel's error frame and leaves the socket open (schema violation the
 * handler finds, rate limit, forbidden action). `code` must be one of the channel contract's error codes;
 * anything else thrown in a handler is a server bug and is reported as `internal`.
 */
export class ProtocolError extends Error {
	constructor(
		readonly code: string,
		message: string,
		/** For rate limits: milliseconds until retrying can succeed. */
		readonly retryAfterMs?: number,
		/** The client-chosen id the refused request was about (e.g. a chat message id). */
		readonly ref?: string,
		/** For rate limits: the budget's refill interval (ErrorPayload.everyMs). */
		readonly everyMs?: number
	) {
		super(message);
		this.name = 'ProtocolError';
	}
}
