import { relayChannel, type RelayChannel } from '$lib/protocol/relay';
import type { ClientMessage } from '$lib/protocol/channel';
import { RealtimeObject, type BaseAttachment } from './realtime-object';
import type { SocketIdentity } from './identity';

/**
 * A Durable Object that relays text between its sockets: the end-to-end proof that the upgrade path,
 * identity, channel contract, size cap and broadcast work, used by the /realtime smoke page (and by
 * operators to check a deployment's realtime plumbing without touching any app's data).
 */
export class RelayRoom extends RealtimeObject<RelayChannel> {
	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env, relayChannel);
	}

	protected async onConnect(identity: SocketIdentity): Promise<BaseAttachment> {
		return { identity, connectedAt: Date.now() };
	}

	protected onOpen(ws: WebSocket, { identity }: BaseAttachment) {
		this.send(ws, 'welcome', { you: { id: identity.id, name: identity.name }, online: this.sockets().length });
	}

	protected onMessage(_ws: WebSocket, message: ClientMessage<RelayChannel>, { identity }: BaseAttachment) {
		this.broadcast('said', {
			from: { id: identity.id, name: identity.name },
			text: message.payload.text,
			at: Date.now()
		});
	}
}
