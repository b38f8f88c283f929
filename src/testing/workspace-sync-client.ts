import { MemoryPendingStore } from '$lib/workspace/pending-store';
import { SyncEngine } from '$lib/workspace/sync-engine';
import { openSocket, tokenFor } from './workspace';

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
		const response = await openSocket(this.workspaceId, await tokenFor(this.cookie));
		const ws = response.webSocket!;
		ws.accept();
		this.ws = ws;
		this.connects++;
		const engine = this.engine;
		ws.addEventListener('message', (event) => {
			if (this.ws !== ws) return;
			if ((event.data as string).startsWith('{"type":"push-rejected"')) this.rejections++;
			engine.receive(event.data as string);
		});
		ws.addEventListener('close', () => {
			if (this.ws === ws) this.disconnect();
		});
		engine.connected((text) => ws.send(text));
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
