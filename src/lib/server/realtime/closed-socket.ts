/**
 * An accepted socket that is closed at once with `code`: the only answer a browser's WebSocket can read
 * (the HTTP status of a refused upgrade is hidden from it).
 */
export function closedSocket(code: number, reason: string): Response {
	const { 0: client, 1: server } = new WebSocketPair();
	server.accept();
	// Close reasons are at most 123 bytes of UTF-8.
	server.close(code, reason.slice(0, 120));
	return new Response(null, { status: 101, webSocket: client });
}
