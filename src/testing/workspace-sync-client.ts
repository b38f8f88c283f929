import { ChannelWire, type ClientMessage } from '$lib/protocol/channel';
import { PONG } from '$lib/protocol/heartbeat';
import { workspaceChannel, type WorkspaceChannel } from '$lib/protocol/workspace-channel';
import { loadCodec } from '$lib/server/codec';
import { EngineWire } from '$lib/workspace/engine-wire';
import { MemoryPendingStore } from '$lib/workspace/pending-store';
import { SyncEngine } from '$lib/workspace/sync-engine';
import { openSocket, tokenFor, type WorkspaceMessage } from './workspace';

export interface EngineTaps {
	/** Every frame the engine received (after it handled it). */
	onFrame?(message: WorkspaceMessage): void;
	/** Every request the engine sends (before it goes out). */
	onSend?(message: ClientMessage<WorkspaceChannel>): void;
}

/**
 * The browser's SyncEngine on a real socket through the whole worker, with the frames decoded and
 * validated by the contract (EngineWire) as openChannel does in the page. Returns the socket and the
 * channel's wire, for tests that also send frames of their own on it.
 */
export async function engineOnSocket(engine: SyncEngine, workspaceId: string, token: string, taps: EngineTaps = {}) {
	const response = await openSocket(workspaceId, token);
	const ws = response.webSocket;
	if (response.status !== 101 || !ws) throw new Error(`upgrade failed: ${response.status} ${await response.text()}`);
	const wire = new ChannelWire(workspaceChannel, await loadCodec());
	const engineWire = new EngineWire(engine, wire);
	ws.binaryType = 'arraybuffer';
	ws.accept();
	ws.addEventListener('message', (event) => {
		// Once the test closed this socket (a disconnect), its late frames are not the engine's any more.
		if (event.data === PONG || ws.readyState !== WebSocket.OPEN) return;
		// Not `taps.onFrame?.(engineWire.receive(…))`: without a tap that would skip the receive itself.
		const message = engineWire.receive(event.data as ArrayBuffer);
		taps.onFrame?.(message);
	});
	engineWire.connected((frame) => ws.send(frame), taps.onSend);
	return { ws, wire };
}

/**
 * A workspace client as the browser runs it — the real SyncEngine over an in-memory pending store — on a
 * real socket through the whole worker (a fresh token per connect, like the page), with the reconnects
 * and "reloads" (a new engine adopting the old one's store) driven by the test.
 */
export class TestClient {
	engine!: SyncEngine;
	/** Pushes the server refused because another client got there first (each one forced a rebase). */
	rejections = 0;
	/** Sockets this client has opened (a resumed hibernated socket is not a new one). */
	connects = 0;
	private ws: WebSocket | null = null;
	readonly store = new MemoryPendingStore();

	constructor(
		readonly workspaceId: string,
		private readonly cookie: string
	) {}

	async start() {
		this.engine?.dispose();
		this.engine = new SyncEngine(this.workspaceId, this.store);
		await this.engine.init();
	}

	async connect() {
		const { ws } = await engineOnSocket(this.engine, this.workspaceId, await tokenFor(this.cookie), {
			onFrame: (message) => {
				if (message.type === 'push-rejected') this.rejections++;
			}
		});
		this.ws = ws;
		this.connects++;
		ws.addEventListener('close', () => {
			if (this.ws === ws) this.disconnect();
		});
	}

	disconnect() {
		const ws = this.ws;
		this.ws = null;
		this.engine.disconnected();
		try {
			ws?.close(1000);
		} catch {
			// already closed
		}
	}

	get online() {
		return this.ws !== null;
	}
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 20_000) {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
