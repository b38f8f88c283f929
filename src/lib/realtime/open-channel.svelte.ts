import { WebSocket as ReconnectingSocket } from 'partysocket';
import { env } from '$env/dynamic/public';
import {
	ChannelError,
	ChannelWire,
	VERSION_PARAM,
	type AnyChannel,
	type ClientKind,
	type ClientPayload,
	type ServerMessage
} from '$lib/protocol/channel';
import { CLOSE_MEANING, CloseCode, isFinalClose } from '$lib/protocol/close-codes';
import { PING, PONG } from '$lib/protocol/heartbeat';
import { TICKET_REQUEST_HEADER } from '$lib/protocol/socket-ticket';
import { loadBrowserCodec } from '$lib/protocol/load-codec-browser';
import { ConnectionStatus } from './connection-status.svelte';
import { Heartbeat } from './heartbeat';

export interface ChannelOptions<Ch extends AnyChannel> {
	channel: Ch;
	/**
	 * Path and query of the socket on this origin, e.g. `/chat/r1/ws?since=42`. Re-read before every
	 * (re)connect, so it always carries the newest resume point or a fresh token; throwing (or rejecting)
	 * makes the socket back off and try again.
	 */
	path: () => string | Promise<string>;
	onMessage(message: ServerMessage<Ch>): void;
	/** The socket opened (also after every reconnect): resend what is unconfirmed. */
	onOpen?(): void;
	/** The socket closed, other than by close(); `final` when it will not reconnect (a final close code). */
	onClose?(close: { code: number; reason: string; final: boolean }): void;
	/** A frame that failed decoding or validation: reported, never applied. */
	onInvalid?(error: ChannelError): void;
}

export interface ChannelHandle<Ch extends AnyChannel> {
	readonly status: ConnectionStatus;
	/** Sends when open; returns false otherwise (apps keep their own outboxes, sent again on open). */
	send<N extends ClientKind<Ch>>(type: N, payload: ClientPayload<Ch, N>, seq?: number): boolean;
	/** Drops the connection and opens a new one (e.g. after the claims changed). */
	reconnect(): void;
	/** Closes for good (the page is leaving). */
	close(): void;
}

/**
 * The one browser client of every app's socket, over partysocket: builds the ws(s) URL with the
 * protocol version, reconnects with backoff, runs the heartbeat (a missed pong reconnects), stops on the
 * final close codes of the shared table, decodes and validates every frame against the channel contract
 * before the app sees it, and keeps one connection status. Loads the codec before connecting, so no frame
 * is ever handled without it.
 */
export async function openChannel<Ch extends AnyChannel>(options: ChannelOptions<Ch>): Promise<ChannelHandle<Ch>> {
	const wire = new ChannelWire(options.channel, await loadBrowserCodec());
	const status = new ConnectionStatus();
	let closedForGood = false;
	/** Set by close(): the page asked for it, so the status says so and onClose is not called for it. */
	let closedByPage = false;

	const url = async () => {
		// A plain URL: this one is built per connection attempt, never shown, so it needs no reactivity.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		let target = new URL(await options.path(), location.href);
		// Sockets on the realtime worker's origin (Pages shape, PUBLIC_REALTIME_URL): the same route hands out
		// a single-use ticket and the URL to open with it, fetched afresh for every attempt.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		if (env.PUBLIC_REALTIME_URL) target = new URL(await ticketedUrl(target));
		target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
		target.searchParams.set(VERSION_PARAM, String(options.channel.version));
		return target.href;
	};
	const socket = new ReconnectingSocket(url, undefined, {
		// partysocket's own queue would replay frames ahead of the apps' ordered outboxes.
		maxEnqueuedMessages: 0,
		minReconnectionDelay: 500 + Math.random() * 500,
		maxReconnectionDelay: 10_000,
		shouldReconnectOnClose: (event) => !isFinalClose(event.code)
	});
	socket.binaryType = 'arraybuffer';

	const heartbeat = new Heartbeat(
		() => socket.send(PING),
		() => socket.reconnect(CloseCode.heartbeatTimeout, 'No heartbeat answer.')
	);
	const onNetwork = () => {
		status.network(navigator.onLine);
		// Back online: reconnect now rather than when a heartbeat notices. (An attempt already waiting out
		// partysocket's backoff keeps its timer: its connect lock makes this call a no-op until then.)
		if (navigator.onLine && !closedForGood && socket.readyState !== socket.OPEN) socket.reconnect();
	};
	window.addEventListener('online', onNetwork);
	window.addEventListener('offline', onNetwork);

	socket.addEventListener('open', () => {
		status.opened();
		heartbeat.start();
		options.onOpen?.();
	});
	socket.addEventListener('message', (event: MessageEvent) => {
		if (event.data === PONG) return heartbeat.pong();
		let message: ServerMessage<Ch>;
		try {
			message = wire.decodeServer(event.data as ArrayBuffer | string);
		} catch (error) {
			if (!(error instanceof ChannelError)) throw error;
			options.onInvalid?.(error);
			// A server speaking another codec frame format: nothing it sends can be read, so stop and say
			// to reload, as a CloseCode.reload close would.
			if (error.reload) stop(error.message, true);
			return;
		}
		options.onMessage(message);
	});
	socket.addEventListener('close', (event) => {
		heartbeat.stop();
		// The caller of close() already knows; reporting it would read as the server ending the session.
		if (closedByPage) return;
		const final = isFinalClose(event.code);
		if (final) {
			closedForGood = true;
			const meaning = CLOSE_MEANING[event.code];
			status.ended(event.reason || meaning.message, event.code === CloseCode.reload);
		} else {
			status.dropped();
		}
		options.onClose?.({ code: event.code, reason: event.reason, final });
	});

	/** Closes for good from this side: the page leaves, or the server speaks another frame format. */
	const stop = (message: string, reload: boolean) => {
		closedForGood = closedByPage = true;
		status.ended(message, reload);
		heartbeat.stop();
		window.removeEventListener('online', onNetwork);
		window.removeEventListener('offline', onNetwork);
		socket.close(CloseCode.normal);
	};

	return {
		status,
		send(type, payload, seq = 0) {
			if (socket.readyState !== socket.OPEN) return false;
			// The codec returns a fresh copy (never a view of WASM memory), backed by a plain ArrayBuffer.
			socket.send(wire.encodeClient(type, payload, seq) as Uint8Array<ArrayBuffer>);
			return true;
		},
		reconnect() {
			if (!closedForGood) socket.reconnect();
		},
		close() {
			stop('Disconnected.', false);
		}
	};
}

/**
 * Asks the socket route on this origin (with the session cookie) for a ticket; it answers with the URL to
 * open on the realtime worker. A refusal throws, so partysocket backs off and asks again, as it retries a
 * refused upgrade.
 */
async function ticketedUrl(route: URL): Promise<string> {
	const response = await fetch(route, { headers: { [TICKET_REQUEST_HEADER]: '1' }, cache: 'no-store' });
	if (!response.ok) throw new Error(`socket ticket refused: ${response.status}`);
	const { url } = (await response.json()) as { url: string };
	return url;
}
