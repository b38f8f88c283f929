/**
 * Every WebSocket close code Murmur sends or acts on, shared by the browser and the worker, so a code
 * means one thing in every app (RFC 6455 §7.4.1; 4000–4999 are for applications). `final` tells the
 * browser client whether to stop: a final close is shown to the person and never retried; any other
 * close is retried by the reconnecting socket (with backoff).
 */
export const CloseCode = {
	/** Closed on purpose (the client left, or the server has nothing more to say). Retried if unexpected. */
	normal: 1000,
	/** The server is restarting or the object moved. */
	goingAway: 1001,
	/**
	 * Policy: the socket may not continue (a member removed, a device revoked, a forged identity). Final:
	 * reconnecting cannot succeed until something changes outside the socket.
	 */
	policy: 1008,
	/** A frame larger than the channel's inbound cap. The frame is dropped; the client may reconnect. */
	tooBig: 1009,
	/** The server failed to serve this socket; reconnecting gets a fresh try. */
	internal: 1011,
	/**
	 * The client speaks another protocol version than the server (a tab left open across a deploy). Final:
	 * only reloading the page brings the matching client code.
	 */
	reload: 4000,
	/** The socket's claims changed (e.g. a workspace role): reconnect at once with fresh credentials. */
	claimsChanged: 4001,
	/**
	 * The token that opened the socket expired (workspace JWTs live minutes): reconnect with a fresh one.
	 * Nothing changed, so unlike claimsChanged the page need not reload its data.
	 */
	tokenExpired: 4002,
	/**
	 * The heartbeat stopped: the browser sends it when a ping got no pong in time (a half-open connection),
	 * the swarm coordinator when a device sent no ping for a minute. Either way: reconnect.
	 */
	heartbeatTimeout: 4003,
	/**
	 * A newer socket of the same device or session took over (the page was opened again elsewhere). Final
	 * for the old one, or two tabs would keep taking the socket from each other.
	 */
	replaced: 4004,
	/**
	 * The client kept breaking the protocol (e.g. pulling again and again without reading). Final, like
	 * policy, but it says nothing about access: a client must not take it as "removed" and drop local data.
	 */
	violation: 4005
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** What each code means for the client: whether it must stop, and what to tell the person if so. */
export const CLOSE_MEANING: Readonly<Record<number, { final: boolean; message: string }>> = Object.freeze({
	[CloseCode.normal]: { final: false, message: 'Connection closed.' },
	[CloseCode.goingAway]: { final: false, message: 'The server is restarting.' },
	[CloseCode.policy]: { final: true, message: 'You no longer have access here.' },
	[CloseCode.tooBig]: { final: false, message: 'A message was too large and was dropped.' },
	[CloseCode.internal]: { final: false, message: 'The server had a problem; reconnecting.' },
	[CloseCode.reload]: { final: true, message: 'Murmur was updated: reload the page to continue.' },
	[CloseCode.claimsChanged]: { final: false, message: 'Your access changed; reconnecting.' },
	[CloseCode.tokenExpired]: { final: false, message: 'Your session token expired; reconnecting.' },
	[CloseCode.heartbeatTimeout]: { final: false, message: 'The connection stopped answering; reconnecting.' },
	[CloseCode.replaced]: { final: true, message: 'This page was opened somewhere else.' },
	[CloseCode.violation]: { final: true, message: 'This page broke the protocol: reload it.' }
});

/** Whether the browser must stop reconnecting after a close with `code`. Unknown codes are retried. */
export function isFinalClose(code: number): boolean {
	return Object.hasOwn(CLOSE_MEANING, code) && CLOSE_MEANING[code].final;
}

/**
 * 1005 (no status), 1006 (abnormal) and 1015 (TLS) are reserved: they describe a close, they may not be
 * sent. Echoing one back to `ws.close()` throws `InvalidAccessError` inside webSocketClose, which
 * workerd logs as an uncaught error, so map them (and anything out of range) to a normal close.
 */
export function sendableCloseCode(code: number): number {
	if (code === 1005 || code === 1006 || code === 1015) return CloseCode.normal;
	if (code < 1000 || code > 4999) return CloseCode.normal;
	return code;
}
