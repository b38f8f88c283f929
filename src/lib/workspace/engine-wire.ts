import type { ChannelWire, ClientMessage, ServerMessage } from '$lib/protocol/channel';
import type { WorkspaceChannel } from '$lib/protocol/workspace-channel';
import type { SyncEngine } from './sync-engine';

/**
 * A SyncEngine on a socket that carries the channel's codec frames as bytes — a workerd socket in the
 * tests, a Node WebSocket in the benchmark — where the page has openChannel: every frame that arrives
 * is decoded and validated against the contract before the engine sees it, and what the engine sends
 * is encoded as a frame. A frame the contract refuses throws (ChannelError): in a test that is a failure.
 */
export class EngineWire {
	// Plain fields, not parameter properties: the benchmark runs this file under Node's type stripping.
	readonly engine: SyncEngine;
	private readonly wire: ChannelWire<WorkspaceChannel>;

	constructor(engine: SyncEngine, wire: ChannelWire<WorkspaceChannel>) {
		this.engine = engine;
		this.wire = wire;
	}

	/** The socket opened: the engine starts pulling. `onSend` sees each request before it is written. */
	connected(sendBytes: (frame: Uint8Array) => void, onSend?: (message: ClientMessage<WorkspaceChannel>) => void) {
		this.engine.connected((type, payload, seq) => {
			onSend?.({ type, seq, payload } as ClientMessage<WorkspaceChannel>);
			sendBytes(this.wire.encodeClient(type, payload, seq));
		});
	}

	/** One frame arrived: decoded, validated and given to the engine; returned for callers that count. */
	receive(data: ArrayBuffer | Uint8Array): ServerMessage<WorkspaceChannel> {
		const message = this.wire.decodeServer(data);
		this.engine.receive(message);
		return message;
	}
}
