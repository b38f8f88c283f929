import { exports } from 'cloudflare:workers';
import {
	ChannelWire,
	VERSION_PARAM,
	type AnyChannel,
	type ClientKind,
	type ClientPayload,
	type ServerKind,
	type ServerMessage,
	type ServerMessageOf
} from '$lib/protocol/channel';
import { PONG } from '$lib/protocol/heartbeat';
import { loadCodec } from '$lib/server/codec';

export const ORIGIN = 'http://localhost:8787';

export interface UpgradeOptions {
	cookie?: string | null;
	origin?: string | null;
	/** Protocol version sent as `?v=`; default the channel's own, null to send none. */
	version?: number | null;
	headers?: Record<string, string>;
}

/** An upgrade request through the whole worker (hooks, route, Durable Object), as a browser sends it. */
export function upgradeRequest(channel: AnyChannel, path: string, options: UpgradeOptions = {}): Request {
	const url = new URL(path, ORIGIN);
	const version = options.version === undefined ? channel.version : options.version;
	if (version !== null) url.searchParams.set(VERSION_PARAM, String(version));
	const headers: Record<string, string> = { Upgrade: 'websocket', ...options.headers };
	const origin = options.origin === undefined ? ORIGIN : options.origin;
	if (origin) headers.origin = origin;
	if (options.cookie) headers.cookie = options.cookie;
	return new Request(url, { headers });
}

export function upgrade(channel: AnyChannel, path: string, options: UpgradeOptions = {}): Promise<Response> {
	return exports.default.fetch(upgradeRequest(channel, path, options));
}

export type ChannelSocket<Ch extends AnyChannel> = Awaited<ReturnType<typeof openChannelSocket<Ch>>>;

/**
 * A real socket into an app through the whole worker, speaking its channel contract with the real codec:
 * every frame the server sends is decoded and validated as the browser's openChannel() does (a frame the
 * contract refuses fails the test), and tests await the n-th message of a kind.
 */
export async function openChannelSocket<Ch extends AnyChannel>(
	channel: Ch,
	path: string,
	options: UpgradeOptions = {}
) {
	const wire = new ChannelWire(channel, await loadCodec());
	const response = await upgrade(channel, path, options);
	if (response.status !== 101) throw new Error(`upgrade failed: ${response.status} ${await response.text()}`);
	const ws = response.webSocket!;
	const messages: ServerMessage<Ch>[] = [];
	const raw: ArrayBuffer[] = [];
	const waiters: (() => void)[] = [];
	let pongs = 0;
	let requestSeq = 0;
	// Standard WebSockets default to Blob for binary data (compat flag websocket_standard_binary_type).
	ws.binaryType = 'arraybuffer';
	ws.accept();
	ws.addEventListener('message', (event) => {
		if (event.data === PONG) pongs++;
		else {
			raw.push(event.data as ArrayBuffer);
			messages.push(wire.decodeServer(event.data as ArrayBuffer));
		}
		waiters.splice(0).forEach((wake) => wake());
	});
	const closed = new Promise<CloseEvent>((resolve) =>
		ws.addEventListener('close', (e) => {
			resolve(e);
			waiters.splice(0).forEach((wake) => wake());
		})
	);

	type Of<T extends ServerKind<Ch> | 'error'> = ServerMessageOf<Ch, T>;
	/** Resolves with the first message at index ≥ `from` of `type` matching; rejects after `timeoutMs`. */
	async function next<T extends ServerKind<Ch> | 'error'>(
		type: T,
		match: (m: Of<T>) => boolean = () => true,
		{ from = 0, timeoutMs = 5_000 } = {}
	): Promise<Of<T>> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const found = messages.slice(from).find((m): m is Of<T> => m.type === type && match(m as Of<T>));
			if (found) return found;
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`timed out waiting for ${type}; got ${messages.map((m) => m.type).join(',')}`);
			await new Promise<void>((resolve) => {
				waiters.push(resolve);
				setTimeout(resolve, left);
			});
		}
	}

	/** Sends a request with the next request number, which the answer or error echoes. */
	function send<N extends ClientKind<Ch>>(type: N, payload: ClientPayload<Ch, N>): number {
		requestSeq += 1;
		ws.send(wire.encodeClient(type, payload, requestSeq));
		return requestSeq;
	}

	return { ws, wire, messages, raw, next, send, closed, response, pongs: () => pongs };
}
