import { DurableObject } from 'cloudflare:workers';
import {
	ChannelError,
	ChannelWire,
	type AnyChannel,
	type ChannelErrorCode,
	type ClientMessage,
	type ServerKind,
	type ServerPayload
} from '$lib/protocol/channel';
import { CloseCode, sendableCloseCode } from '$lib/protocol/close-codes';
import { PING, PONG } from '$lib/protocol/heartbeat';
import { loadCodec } from '$lib/server/codec';
import { log } from '$lib/server/log';
import { versionMismatch } from './closed-socket';
import { readIdentity, TICKET_ID_HEADER, type SocketIdentity } from './identity';
import { ProtocolError } from './protocol-error';
import { migrateSchema, type SchemaStep } from './sql-schema';

/** What every socket carries in its attachment; apps extend it with their own fields. */
export interface BaseAttachment {
	identity: SocketIdentity;
	connectedAt: number;
}

/**
 * Attachments are limited to 16 KiB by the runtime
 * (developers.cloudflare.com/durable-objects/api/websocket/#serializeattachment); we check earlier so
 * the failure names the app rather than surfacing as a runtime error at accept time.
 */
const MAX_ATTACHMENT_BYTES = 16 * 1024;

/**
 * Open sockets one person or device may hold on one object. Each socket costs the object memory and a
 * share of every broadcast, so without a cap one member opening sockets that never read could grow it
 * without bound (128 MB resets an object on Cloudflare). Sixteen is more tabs of one room than anyone keeps
 * open; internal services (kind `service`, authenticated by a secret) are not capped.
 */
export const MAX_SOCKETS_PER_IDENTITY = 16;

/** Used socket tickets (the Pages shape's separate realtime origin), created on the first ticketed socket. */
const SOCKET_TICKETS_SCHEMA: readonly SchemaStep[] = [
	(sql) => sql.exec('CREATE TABLE IF NOT EXISTS _socket_tickets (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)')
];

/**
 * The socket plumbing every app shares, on the WebSocket Hibernation API and one channel contract: the
 * object may be evicted between messages, so everything a socket needs later lives in its attachment
 * (which survives) and in storage, never only in fields.
 *
 * Inbound order: size cap (close 1009) → codec frame → the contract's schema → `onMessage` (authorise,
 * act). A frame refused on the way, or a ProtocolError thrown by the handler, becomes the contract's
 * error frame echoing the request number, and the socket stays usable; any other error is logged and
 * reported as `internal`. Outbound, `send` and `broadcast` take a kind and its payload, typed by the
 * contract; a broadcast is encoded once for all sockets.
 */
export abstract class RealtimeObject<
	Ch extends AnyChannel,
	A extends BaseAttachment = BaseAttachment,
	E extends Env = Env
> extends DurableObject<E> {
	private loadedWire: ChannelWire<Ch> | null = null;

	constructor(
		ctx: DurableObjectState,
		env: E,
		protected readonly channel: Ch
	) {
		super(ctx, env);
		// Answered by the runtime without waking the object, so idle heartbeats cost nothing.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
		// Nothing is delivered to the object before its codec is ready (WASM instantiation is async).
		ctx.blockConcurrencyWhile(async () => {
			this.loadedWire = new ChannelWire(channel, await loadCodec());
		});
	}

	// ---- hooks -------------------------------------------------------------------------------

	/**
	 * The authorize step: decide whether to accept; return the attachment, or a Response to refuse the
	 * upgrade. It runs before the protocol version is checked, so it may run for a socket then closed with
	 * "reload": nothing it does may matter for a socket that never opens.
	 */
	protected abstract onConnect(identity: SocketIdentity, request: Request): Promise<A | Response>;

	/** Runs after the socket is accepted (send the initial state, announce presence, …). */
	protected onOpen(_ws: WebSocket, _attachment: A): void | Promise<void> {}

	/** One validated message from a client. */
	protected abstract onMessage(ws: WebSocket, message: ClientMessage<Ch>, attachment: A): void | Promise<void>;

	/** Runs once per socket when it closes or errors (it is already out of `getWebSockets()`). */
	protected onClose(_ws: WebSocket, _attachment: A): void | Promise<void> {}

	/** Tags let `sockets(tag)` select e.g. dashboards vs devices without reading every attachment. */
	protected tagsFor(_attachment: A): string[] {
		return [];
	}

	/** Non-upgrade requests to the object (internal calls). */
	protected onRequest(_request: Request): Response | Promise<Response> {
		return new Response('Expected a WebSocket upgrade.', { status: 426 });
	}

	// ---- runtime entry points -----------------------------------------------------------------

	async fetch(request: Request): Promise<Response> {
		if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return this.onRequest(request);
		const identity = readIdentity(request);
		if (!identity) return new Response('Missing socket identity.', { status: 401 });
		const ticket = request.headers.get(TICKET_ID_HEADER);
		if (ticket !== null && !this.redeemTicket(ticket)) {
			return new Response('This socket ticket was already used; ask the app for a new one.', { status: 401 });
		}
		const who = identityTag(identity);
		if (identity.kind !== 'service' && this.ctx.getWebSockets(who).length >= MAX_SOCKETS_PER_IDENTITY) {
			return new Response(`At most ${MAX_SOCKETS_PER_IDENTITY} open connections here per person or device.`, {
				status: 429,
				headers: { 'retry-after': '5' }
			});
		}
		// The authorize step (onConnect) comes before the version, the route's order: someone who may not open
		// this object gets the definitive refusal (404/403), not a reload that would only make them retry.
		const accepted = await this.onConnect(identity, request);
		if (accepted instanceof Response) return accepted;
		// Checked here too, not only in the route: in the Pages shape the route (Pages Functions) and this
		// object (the realtime worker) are deployed separately, and it is this side that speaks the protocol;
		// and a route whose authorize step is this object's onConnect leaves the version to it.
		const outdated = versionMismatch(this.channel, new URL(request.url));
		if (outdated) return outdated;

		// Checked before accepting: a socket accepted without its attachment would linger in getWebSockets().
		assertAttachmentFits(this.constructor.name, accepted);
		const { 0: client, 1: server } = new WebSocketPair();
		this.ctx.acceptWebSocket(server, [who, ...this.tagsFor(accepted)]);
		server.serializeAttachment(accepted); // measured just above
		try {
			await this.onOpen(server, accepted);
		} catch (error) {
			// The socket is already accepted: failing the request would leave it open but never greeted.
			// Close just this one with "internal error", and the client's reconnect gets a fresh try.
			log('error', 'realtime onOpen failed', { object: this.constructor.name, error: String(error) });
			server.close(CloseCode.internal, 'The server could not open this session.');
		}
		return new Response(null, { status: 101, webSocket: client });
	}

	/**
	 * Records a socket ticket (`<id> <expiry ms>`) as used; false when it already was. Tickets are bound to
	 * this object, so this is the one place every use of one arrives. Rows of expired tickets are dropped on
	 * the way, so the table holds at most the tickets of the last TICKET_TTL_SECONDS.
	 */
	private ticketsReady = false;

	private redeemTicket(ticket: string): boolean {
		const [id, expiresAt] = ticket.split(' ');
		const sql = this.ctx.storage.sql;
		if (!this.ticketsReady) {
			migrateSchema(this.ctx.storage, 'socket-tickets', SOCKET_TICKETS_SCHEMA);
			this.ticketsReady = true;
		}
		sql.exec('DELETE FROM _socket_tickets WHERE expires_at < ?', Date.now());
		const inserted = sql.exec(
			'INSERT INTO _socket_tickets VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id',
			id,
			Number(expiresAt)
		);
		return inserted.toArray().length === 1;
	}

	async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
		if (byteLengthOver(data, this.channel.maxInboundBytes)) {
			ws.close(CloseCode.tooBig, `Message larger than ${this.channel.maxInboundBytes} bytes.`);
			return;
		}
		const attachment = this.attachment(ws);
		if (!attachment) {
			// Our fault (the attachment is written at accept): a fresh connection gets a fresh one.
			ws.close(CloseCode.internal, 'Unknown socket.');
			return;
		}
		let message: ClientMessage<Ch>;
		try {
			message = this.wire.decodeClient(data);
		} catch (error) {
			if (!(error instanceof ChannelError)) throw error;
			if (error.reload) ws.close(CloseCode.reload, error.message);
			else this.sendError(ws, error.code, error.message, { seq: error.seq });
			return;
		}
		try {
			await this.onMessage(ws, message, attachment);
		} catch (error) {
			if (error instanceof ProtocolError) {
				this.sendError(ws, error.code as ChannelErrorCode<Ch>, error.message, {
					seq: message.seq,
					retryAfterMs: error.retryAfterMs,
					everyMs: error.everyMs,
					ref: error.ref
				});
			} else {
				log('error', 'realtime handler failed', {
					object: this.constructor.name,
					type: message.type,
					error: String(error)
				});
				this.sendError(ws, 'internal', 'The server could not handle that message.', { seq: message.seq });
			}
		}
	}

	async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
		try {
			ws.close(sendableCloseCode(code), reason);
		} catch {
			// Already closed from our side; nothing to echo.
		}
		await this.handleGone(ws);
	}

	async webSocketError(ws: WebSocket): Promise<void> {
		await this.handleGone(ws);
	}

	// ---- helpers for subclasses -----------------------------------------------------------------

	/** Sends one message to one socket; a socket that closed meanwhile is skipped. */
	protected send<N extends ServerKind<Ch>>(ws: WebSocket, type: N, payload: ServerPayload<Ch, N>, seq = 0): boolean {
		return this.sendFrame(ws, this.wire.encodeServer(type, payload, seq));
	}

	/** Sends the contract's error frame; `seq` is the request it answers. */
	protected sendError(
		ws: WebSocket,
		code: ChannelErrorCode<Ch>,
		message: string,
		options: { seq?: number; retryAfterMs?: number; everyMs?: number; ref?: string } = {}
	): boolean {
		if (!this.channel.errorCodes.has(code)) {
			// A code outside the contract is a server bug; the client could not parse it, so say "internal".
			log('error', 'error code not in the channel contract', { channel: this.channel.name, code });
			code = 'internal';
		}
		const { seq = 0, retryAfterMs, everyMs, ref } = options;
		return this.sendFrame(ws, this.wire.encodeError({ code, message, retryAfterMs, everyMs, ref }, seq));
	}

	/**
	 * Sends one message to every open socket (or those with `tag`, or passing `filter`), except `except`,
	 * encoded once. With `reply`, the socket whose request caused it gets its copy with that request's
	 * number as the frame seq, so the broadcast is also its answer (no separate ack frame). Returns how many
	 * got it.
	 */
	protected broadcast<N extends ServerKind<Ch>>(
		type: N,
		payload: ServerPayload<Ch, N>,
		options: {
			tag?: string;
			except?: WebSocket;
			filter?: (attachment: A) => boolean;
			reply?: { ws: WebSocket; seq: number };
		} = {}
	): number {
		const { except, filter, reply } = options;
		const sockets = this.sockets(options.tag).filter((ws) => ws !== except && (!filter || this.matches(ws, filter)));
		if (sockets.length === 0) return 0;
		const json = JSON.stringify(payload);
		const frame = this.wire.encodeServerJson(type, json);
		const answer = reply ? this.wire.encodeServerJson(type, json, reply.seq) : frame;
		let sent = 0;
		for (const ws of sockets) if (this.sendFrame(ws, ws === reply?.ws ? answer : frame)) sent++;
		return sent;
	}

	/** An already encoded frame (e.g. one page reused for several sockets). */
	protected sendFrame(ws: WebSocket, frame: Uint8Array): boolean {
		try {
			ws.send(frame);
			return true;
		} catch {
			return false;
		}
	}

	protected attachment(ws: WebSocket): A | null {
		return (ws.deserializeAttachment() as A | null) ?? null;
	}

	protected setAttachment(ws: WebSocket, attachment: A): void {
		assertAttachmentFits(this.constructor.name, attachment);
		ws.serializeAttachment(attachment);
	}

	/** Open sockets, optionally only those with a tag. Includes sockets restored after hibernation. */
	protected sockets(tag?: string): WebSocket[] {
		return this.ctx.getWebSockets(tag).filter((ws) => ws.readyState === WebSocket.OPEN);
	}

	/** The open sockets of one person or device: a tag lookup (every socket carries its identity's tag). */
	protected socketsOf(identity: Pick<SocketIdentity, 'kind' | 'id'>): WebSocket[] {
		return this.sockets(identityTag(identity));
	}

	/** Closes every socket whose attachment matches (e.g. a member removed from a workspace). */
	protected closeWhere(match: (attachment: A) => boolean, code: number, reason: string): number {
		let closed = 0;
		for (const ws of this.ctx.getWebSockets()) {
			if (this.matches(ws, match)) {
				ws.close(code, reason);
				closed++;
			}
		}
		return closed;
	}

	private matches(ws: WebSocket, predicate: (attachment: A) => boolean): boolean {
		const attachment = this.attachment(ws);
		return attachment !== null && predicate(attachment);
	}

	/** The channel's encoder (for frames built once and sent to many, like history pages). */
	protected get wire(): ChannelWire<Ch> {
		if (!this.loadedWire) throw new Error(`${this.constructor.name}: the codec is not loaded yet`);
		return this.loadedWire;
	}

	private async handleGone(ws: WebSocket): Promise<void> {
		const attachment = this.attachment(ws);
		if (attachment) await this.onClose(ws, attachment);
	}
}

function assertAttachmentFits(object: string, attachment: unknown): void {
	const size = JSON.stringify(attachment).length;
	if (size > MAX_ATTACHMENT_BYTES) throw new Error(`${object} attachment is ${size} bytes, over 16 KiB.`);
}

/** The tag every socket of one identity carries, so counting them reads no attachment. */
function identityTag(identity: Pick<SocketIdentity, 'kind' | 'id'>): string {
	return `identity:${identity.kind}:${identity.id}`;
}

function byteLengthOver(message: string | ArrayBuffer, max: number): boolean {
	if (typeof message !== 'string') return message.byteLength > max;
	// UTF-8 needs 1–3 bytes per UTF-16 unit, so only encode when the answer is not obvious.
	if (message.length > max) return true;
	if (message.length * 3 <= max) return false;
	return new TextEncoder().encode(message).byteLength > max;
}
