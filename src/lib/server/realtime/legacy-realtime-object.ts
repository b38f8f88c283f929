/** @deprecated The pre-contract base, kept only while the apps move to RealtimeObject (realtime-object.ts). */
import { DurableObject } from 'cloudflare:workers';
import { CloseCode, sendableCloseCode } from '$lib/protocol/close-codes';
import { readIdentity, type SocketIdentity } from './identity';
import { ProtocolError } from './protocol-error';

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
 * The socket plumbing the three apps share, on the WebSocket Hibernation API: the object may be evicted
 * between messages, so everything a socket needs later lives in its attachment (which survives) and
 * in storage, never only in fields. Subclasses implement the `on*` hooks and the error encoding.
 *
 * Inbound order: size cap (close 1009) → `onMessage` (decode, zod, authorise) → ProtocolError becomes an
 * error frame and the socket stays usable; any other error is logged and reported as `internal`.
 */
export abstract class LegacyRealtimeObject<
	A extends BaseAttachment = BaseAttachment,
	E extends Env = Env
> extends DurableObject<E> {
	/** Largest inbound message in bytes; bigger frames close the socket with 1009. */
	protected abstract readonly maxInboundBytes: number;

	constructor(ctx: DurableObjectState, env: E) {
		super(ctx, env);
		// Answered by the runtime without waking the object, so idle heartbeats cost nothing.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
	}

	// ---- hooks -------------------------------------------------------------------------------

	/** Decide whether to accept; return the attachment, or a Response to refuse the upgrade. */
	protected abstract onConnect(identity: SocketIdentity, request: Request): Promise<A | Response>;

	/** Runs after the socket is accepted (send the initial state, announce presence, …). */
	protected onOpen(_ws: WebSocket, _attachment: A): void | Promise<void> {}

	protected abstract onMessage(ws: WebSocket, message: string | ArrayBuffer, attachment: A): void | Promise<void>;

	/** Runs once per socket when it closes or errors (it is already out of `getWebSockets()`). */
	protected onClose(_ws: WebSocket, _attachment: A): void | Promise<void> {}

	/** Encodes an error for the wire in the app's own format. */
	protected abstract encodeError(error: ProtocolError): string | ArrayBuffer | ArrayBufferView;

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
		const accepted = await this.onConnect(identity, request);
		if (accepted instanceof Response) return accepted;

		const { 0: client, 1: server } = new WebSocketPair();
		this.ctx.acceptWebSocket(server, this.tagsFor(accepted));
		this.setAttachment(server, accepted);
		try {
			await this.onOpen(server, accepted);
		} catch (error) {
			// The socket is already accepted: failing the request would leave it open but never greeted.
			// Close just this one with "internal error", and the client's reconnect gets a fresh try.
			console.error(
				JSON.stringify({ msg: 'realtime onOpen failed', object: this.constructor.name, error: String(error) })
			);
			server.close(CloseCode.internal, 'The server could not open this session.');
		}
		return new Response(null, { status: 101, webSocket: client });
	}

	async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		if (byteLengthOver(message, this.maxInboundBytes)) {
			ws.close(CloseCode.tooBig, `Message larger than ${this.maxInboundBytes} bytes.`);
			return;
		}
		const attachment = this.attachment(ws);
		if (!attachment) {
			ws.close(CloseCode.policy, 'Unknown socket.');
			return;
		}
		try {
			await this.onMessage(ws, message, attachment);
		} catch (error) {
			if (error instanceof ProtocolError) {
				this.send(ws, this.encodeError(error));
			} else {
				console.error(
					JSON.stringify({ msg: 'realtime handler failed', object: this.constructor.name, error: String(error) })
				);
				this.send(ws, this.encodeError(new ProtocolError('internal', 'The server could not handle that message.')));
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

	protected attachment(ws: WebSocket): A | null {
		return (ws.deserializeAttachment() as A | null) ?? null;
	}

	protected setAttachment(ws: WebSocket, attachment: A): void {
		const size = JSON.stringify(attachment).length;
		if (size > MAX_ATTACHMENT_BYTES)
			throw new Error(`${this.constructor.name} attachment is ${size} bytes, over 16 KiB.`);
		ws.serializeAttachment(attachment);
	}

	/** Open sockets, optionally only those with a tag. Includes sockets restored after hibernation. */
	protected sockets(tag?: string): WebSocket[] {
		return this.ctx.getWebSockets(tag).filter((ws) => ws.readyState === WebSocket.OPEN);
	}

	/** Sends to one socket; a socket that closed meanwhile is skipped rather than failing the caller. */
	protected send(ws: WebSocket, data: string | ArrayBuffer | ArrayBufferView): boolean {
		try {
			ws.send(data as string | ArrayBuffer);
			return true;
		} catch {
			return false;
		}
	}

	/** Sends to every open socket (or those with `tag`), except `except`. Returns how many got it. */
	protected broadcast(
		data: string | ArrayBuffer | ArrayBufferView,
		options: { tag?: string; except?: WebSocket; filter?: (attachment: A) => boolean } = {}
	): number {
		let sent = 0;
		for (const ws of this.sockets(options.tag)) {
			if (ws === options.except) continue;
			if (options.filter) {
				const attachment = this.attachment(ws);
				if (!attachment || !options.filter(attachment)) continue;
			}
			if (this.send(ws, data)) sent++;
		}
		return sent;
	}

	/** Closes every socket whose attachment matches (e.g. a member removed from a workspace). */
	protected closeWhere(match: (attachment: A) => boolean, code: number, reason: string): number {
		let closed = 0;
		for (const ws of this.ctx.getWebSockets()) {
			const attachment = this.attachment(ws);
			if (attachment && match(attachment)) {
				ws.close(code, reason);
				closed++;
			}
		}
		return closed;
	}

	private async handleGone(ws: WebSocket): Promise<void> {
		const attachment = this.attachment(ws);
		if (attachment) await this.onClose(ws, attachment);
	}
}

function byteLengthOver(message: string | ArrayBuffer, max: number): boolean {
	if (typeof message !== 'string') return message.byteLength > max;
	// UTF-8 needs 1–3 bytes per UTF-16 unit, so only encode when the answer is not obvious.
	if (message.length > max) return true;
	if (message.length * 3 <= max) return false;
	return new TextEncoder().encode(message).byteLength > max;
}
