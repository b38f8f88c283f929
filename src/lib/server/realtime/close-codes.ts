/** WebSocket close codes used across the three apps (RFC 6455 §7.4.1). */
export const CloseCode = {
	normal: 1000,
	/** Bad or unauthorised input we will not keep serving (revoked membership, forged identity). */
	policy: 1008,
	/** Frame larger than the app's inbound cap. */
	tooBig: 1009,
	internal: 1011,
	/**
	 * App code (4000-4999 are private use): the socket's claims changed (e.g. a workspace role), the
	 * client should reconnect with a fresh token. Unlike 1008 it is not a refusal.
	 */
	claimsChanged: 4001,
	/**
	 * App code: the token that opened the socket expired (workspace JWTs live minutes); the client reconnects
	 * with a fresh one. Like 4001 it is not a refusal, but nothing changed, so the page need not reload data.
	 */
	tokenExpired: 4002
} as const;

/**
 * 1005 (no status), 1006 (abnormal) and 1015 (TLS) are reserved: they describe a close, they may not be
 * sent. Echoing one back to `ws.close()` throws `InvalidAccessError` inside webSocketClose, which
 * workerd logs as an uncaught error, so map them to a normal close.
 */
export function sendableCloseCode(code: number): number {
	if (code === 1005 || code === 1006 || code === 1015) return CloseCode.normal;
	if (code < 1000 || code > 4999) return CloseCode.normal;
	return code;
}
