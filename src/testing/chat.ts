import { exports } from 'cloudflare:workers';
import type { ClientPayload, ClientRequestName, ServerEvent } from '$lib/protocol/chat';
import { decodeEvent, encodeRequest } from '$lib/protocol/chat-wire';
import { createRoom } from '$lib/server/chat/rooms';
import { loadServerCodec } from '$lib/server/chat/wire-codec';
import { getDb } from '$lib/server/db';

export const ORIGIN = 'http://localhost:8787';

export async function newRoom(env: Env, ownerId: string, visibility: 'public' | 'private' = 'public') {
	return createRoom(getDb(env), ownerId, { name: `Room ${crypto.randomUUID().slice(0, 6)}`, visibility });
}

export async function upgrade(cookie: string | null, roomId: string, since?: number) {
	const headers: Record<string, string> = { Upgrade: 'websocket', origin: ORIGIN };
	if (cookie) headers.cookie = cookie;
	const query = since === undefined ? '' : `?since=${since}`;
	return exports.default.fetch(new Request(`${ORIGIN}/chat/${roomId}/ws${query}`, { headers }));
}

export type ChatSocket = Awaited<ReturnType<typeof openChat>>;

/**
 * A real socket into a room through the whole worker (session cookie → membership → ChatRoom), decoding
 * every frame with the real codec so tests can await the n-th event of a kind.
 */
export async function openChat(cookie: string, roomId: string, since?: number) {
	const codec = await loadServerCodec();
	const response = await upgrade(cookie, roomId, since);
	if (response.status !== 101) throw new Error(`upgrade failed: ${response.status} ${await response.text()}`);
	const ws = response.webSocket!;
	const events: ServerEvent[] = [];
	const raw: ArrayBuffer[] = [];
	const waiters: (() => void)[] = [];
	let seq = 0;
	// Standard WebSockets default to Blob for binary data (compat flag websocket_standard_binary_type).
	ws.binaryType = 'arraybuffer';
	ws.accept();
	ws.addEventListener('message', (event) => {
		if (typeof event.data === 'string') return; // the heartbeat's "pong"; chat frames are binary
		raw.push(event.data as ArrayBuffer);
		events.push(decodeEvent(codec, event.data as ArrayBuffer));
		waiters.splice(0).forEach((wake) => wake());
	});
	const closed = new Promise<CloseEvent>((resolve) =>
		ws.addEventListener('close', (e) => {
			resolve(e);
			waiters.splice(0).forEach((wake) => wake());
		})
	);

	/** Resolves with the first event after index `from` matching; rejects after `timeoutMs`. */
	async function next<T extends ServerEvent['type']>(
		type: T,
		match: (e: Extract<ServerEvent, { type: T }>) => boolean = () => true,
		{ from = 0, timeoutMs = 5_000 } = {}
	): Promise<Extract<ServerEvent, { type: T }>> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const found = events
				.slice(from)
				.find(
					(e): e is Extract<ServerEvent, { type: T }> =>
						e.type === type && match(e as Extract<ServerEvent, { type: T }>)
				);
			if (found) return found;
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`timed out waiting for ${type}; got ${events.map((e) => e.type).join(',')}`);
			await new Promise<void>((resolve) => {
				waiters.push(resolve);
				setTimeout(resolve, left);
			});
		}
	}

	function request<K extends ClientRequestName>(type: K, payload: ClientPayload<K>): number {
		seq += 1;
		ws.send(encodeRequest(codec, type, seq, payload));
		return seq;
	}

	return { ws, events, raw, next, request, closed, codec };
}
