import { VERSION_PARAM, type AnyChannel } from '$lib/protocol/channel';
import { CloseCode } from '$lib/protocol/close-codes';

/**
 * An accepted socket that is closed at once with `code`: the only answer a browser's WebSocket can read
 * (the HTTP status of a refused upgrade is hidden from it).
 */
function closedSocket(code: number, reason: string): Response {
	const { 0: client, 1: server } = new WebSocketPair();
	server.accept();
	// Close reasons are at most 123 bytes of UTF-8.
	server.close(code, reason.slice(0, 120));
	return new Response(null, { status: 101, webSocket: client });
}

/**
 * The protocol-version step of an upgrade, shared by the route and the object: null when the socket URL's
 * `?v=` is this channel's version, else a socket closed with CloseCode.reload (a missing version too).
 */
export function versionMismatch(channel: AnyChannel, url: URL): Response | null {
	const version = url.searchParams.get(VERSION_PARAM);
	if (version === String(channel.version)) return null;
	return closedSocket(
		CloseCode.reload,
		`Reload: this page speaks ${channel.name} protocol ${version ?? 'none'}, the server ${channel.version}.`
	);
}
