import { relayClientMessage, type RelayServerMessage } from '$lib/protocol/relay';
import type { SocketIdentity } from './identity';
import { parseJsonFrame } from './json-frame';
import type { ProtocolError } from './protocol-error';
import { RealtimeObject, type BaseAttachment } from './realtime-object';

/**
 * A Durable Object that relays JSON text between its sockets: the end-to-end proof that the upgrade
 * path, identity, size cap and broadcast work, used by the /realtime smoke page (and by operators to
 * check a deployment's realtime plumbing without touching any app's data).
 */
export class RelayRoom extends RealtimeObject<BaseAttachment> {
	protected readonly maxInboundBytes = 4 * 1024;

	protected async onConnect(identity: SocketIdentity): Promise<BaseAttachment> {
		return { identity, connectedAt: Date.now() };
	}

	protected onOpen(ws: WebSocket, { identity }: BaseAttachment) {
		this.sendJson(ws, {
			type: 'welcome',
			you: { id: identity.id, name: identity.name },
			online: this.sockets().length
		});
	}

	protected onMessage(_ws: WebSocket, message: string | ArrayBuffer, { identity }: BaseAttachment) {
		const { text } = parseJsonFrame(message, relayClientMessage);
		this.broadcast(
			JSON.stringify({
				type: 'said',
				from: { id: identity.id, name: identity.name },
				text,
				at: Date.now()
			} satisfies RelayServerMessage)
		);
	}

	protected encodeError(error: ProtocolError): string {
		return JSON.stringify({ type: 'error', code: error.code, message: error.message } satisfies RelayServerMessage);
	}

	private sendJson(ws: WebSocket, message: RelayServerMessage) {
		this.send(ws, JSON.stringify(message));
	}
}
