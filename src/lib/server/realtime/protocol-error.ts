/**
 * A client mistake that gets an error frame and leaves the socket open (malformed frame, schema
 * violation, rate limit, forbidden action). Anything else thrown in a handler is a server bug.
 */
export class ProtocolError extends Error {
	constructor(
		readonly code: string,
		message: string,
		/** For rate limits: milliseconds until retrying can succeed. */
		readonly retryAfterMs?: number
	) {
		super(message);
		this.name = 'ProtocolError';
	}
}
