import { ChannelWire } from '$lib/protocol/channel';
import { PONG } from '$lib/protocol/heartbeat';
import { workspaceChannel } from '$lib/protocol/workspace-channel';
import { loadCodec } from '$lib/server/codec';
import { TextClient, userColor } from '$lib/workspace/text-client';
import type { CachedText, TextCache, TextSession } from '$lib/workspace/text-session';
import { openSocket, tokenFor } from './workspace';

/** The page's TextCache in memory: what IndexedDB keeps across a "reload". */
export class MemoryTextCache implements TextCache {
	readonly states = new Map<string, CachedText>();
	async load(textId: string) {
		return this.states.get(textId) ?? null;
	}
	async save(textId: string, state: Uint8Array, unsynced: boolean) {
		this.states.set(textId, { state, unsynced });
	}
	async unsynced() {
		return [...this.states].filter(([, text]) => text.unsynced).map(([textId]) => textId);
	}
}

/**
 * The browser's TextClient (and its TextSessions) on a real workspace socket through the whole worker,
 * every frame decoded and validated by the contract as openChannel does; connects, disconnects and
 * reloads (a new client over the same cache) are driven by the test.
 */
export class TextTestClient {
	texts!: TextClient;
	readonly cache = new MemoryTextCache();
	private ws: WebSocket | null = null;
	private sessions = new Map<string, TextSession>();

	constructor(
		readonly workspaceId: string,
		private readonly cookie: string,
		readonly name: string
	) {
		this.reload();
	}

	/** A new TextClient over the same cache, as a page reload makes (the socket must be closed first). */
	reload() {
		this.texts?.closeAll();
		this.sessions.clear();
		this.texts = new TextClient({ id: 'pending-hello', name: this.name, ...userColor(this.name) }, this.cache);
	}

	/** Opens a text and waits for its cached state to load (as an editor mounting would). */
	async open(textId: string): Promise<TextSession> {
		const session = this.texts.open(textId);
		this.sessions.set(textId, session);
		await until(() => this.texts.isReady(textId));
		return session;
	}

	session(textId: string): TextSession {
		return this.sessions.get(textId)!;
	}

	async connect() {
		const response = await openSocket(this.workspaceId, await tokenFor(this.cookie));
		const ws = response.webSocket;
		if (response.status !== 101 || !ws) throw new Error(`upgrade failed: ${response.status}`);
		const wire = new ChannelWire(workspaceChannel, await loadCodec());
		ws.binaryType = 'arraybuffer';
		ws.accept();
		const texts = this.texts;
		ws.addEventListener('message', (event) => {
			if (event.data === PONG || ws.readyState !== WebSocket.OPEN || this.ws !== ws) return;
			const message = wire.decodeServer(event.data as ArrayBuffer);
			if (texts.handles(message)) texts.receive(message);
			else if (message.type === 'hello') texts.hello(message.payload.userId);
		});
		ws.addEventListener('close', () => {
			if (this.ws === ws) this.disconnect();
		});
		this.ws = ws;
		texts.connected((type, payload) => ws.send(wire.encodeClient(type, payload)));
	}

	disconnect() {
		const ws = this.ws;
		this.ws = null;
		this.texts.disconnected();
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
