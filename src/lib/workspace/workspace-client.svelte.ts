import { invalidateAll } from '$app/navigation';
import { CLOSE_MEANING, CloseCode } from '$lib/protocol/close-codes';
import type { ServerMessageOf } from '$lib/protocol/channel';
import { workspaceChannel, type WorkspaceChannel } from '$lib/protocol/workspace-channel';
import type { WorkspaceEvent } from '$lib/protocol/workspace-events';
import { emptyWorkspace } from '$lib/protocol/workspace-reducer';
import type { ConnectionStatus } from '$lib/realtime/connection-status.svelte';
import { openChannel, type ChannelHandle } from '$lib/realtime/open-channel.svelte';
import { IdbPendingStore } from './idb-store';
import { MemoryPendingStore, type PendingStore } from './pending-store';
import { SyncEngine, type SyncView } from './sync-engine';
import { IdbTextCache } from './text-cache';
import { TextClient, userColor } from './text-client';
import { WorkspaceToken } from './workspace-token';

/** What the socket says about the assistant's conversation (the panel listens while it is open). */
export type AssistantNews = ServerMessageOf<WorkspaceChannel, 'assistant-message' | 'assistant-action'>;

/**
 * The page's handle on one workspace: a SyncEngine with an IndexedDB store on the workspace channel
 * (openChannel: reconnects, heartbeat, validated frames, one connection status), with a workspace JWT
 * (session cookie) fetched while the page loads and reused on reconnects while good (workspace-token.ts),
 * and reactive `view` for components.
 */
export class WorkspaceClient {
	/**
	 * Raw, not deep state: the engine hands out a new view on every change, while its board (`state`) stays
	 * the same object until events are folded into it. A deep proxy wrapped that board anew on every
	 * frame, so the board and doc list re-sorted on each of a catch-up's hundred pages, not once.
	 */
	view: SyncView = $state.raw({
		state: emptyWorkspace(),
		status: 'offline',
		pending: 0,
		cursor: 0,
		backendId: null,
		error: null,
		dropped: 0
	});
	/** Set when the server closed the socket for policy (membership revoked): no more reconnects. */
	revoked: string | null = $state(null);
	/** The socket's state for ConnectionBadge; null until the channel (and its codec) is loaded. */
	connection: ConnectionStatus | null = $state(null);

	/** The workspace's collaborative texts (doc bodies, task descriptions) on the same socket. */
	readonly texts: TextClient;
	private engine: SyncEngine;
	private store: PendingStore;
	private textCache: IdbTextCache | null;
	private channel: ChannelHandle<WorkspaceChannel> | null = null;
	private readonly token = new WorkspaceToken(() =>
		fetch('/api/workspace/token', { credentials: 'same-origin', cache: 'no-store' })
	);
	private everOpened = false;
	private stopped = false;
	private teardown: (() => void)[] = [];
	private assistantListeners: ((news: AssistantNews) => void)[] = [];

	/**
	 * `userId` names this user's own IndexedDB databases ('guest' for the no-account demo); `name` is what
	 * the others see on this user's cursor.
	 */
	constructor(
		readonly workspaceId: string,
		userId: string,
		name = 'Guest'
	) {
		this.store = openStore(userId);
		this.engine = new SyncEngine(workspaceId, this.store);
		this.textCache = typeof indexedDB === 'undefined' ? null : new IdbTextCache(userId, workspaceId);
		this.texts = new TextClient({ id: userId, name, ...userColor(userId) }, this.textCache);
	}

	async start(): Promise<void> {
		this.token.prefetch(); // meanwhile: the stored board, then the codec
		await this.engine.init();
		this.teardown.push(this.engine.subscribe((view) => (this.view = view)));
		const channel = await openChannel({
			channel: workspaceChannel,
			path: () => this.socketPath(),
			onOpen: () => {
				this.everOpened = true;
				this.token.accepted();
				this.engine.connected((type, payload, seq) => this.channel?.send(type, payload, seq));
				this.texts.connected((type, payload) => this.channel?.send(type, payload));
			},
			onMessage: (message) => {
				if (this.texts.handles(message)) return this.texts.receive(message);
				if (message.type === 'assistant-message' || message.type === 'assistant-action') {
					for (const listener of this.assistantListeners) listener(message);
					return;
				}
				if (message.type === 'hello') this.texts.hello(message.payload.userId);
				this.engine.receive(message);
			},
			onClose: ({ code, reason }) => {
				this.engine.disconnected();
				this.texts.disconnected();
				if (code === CloseCode.policy) {
					this.revoked = reason || CLOSE_MEANING[code].message;
					// Nothing of a workspace one may no longer read stays on the device, unsent edits included.
					void this.store.forget(this.workspaceId);
					void this.textCache?.forget();
				} else if (code === CloseCode.claimsChanged) {
					this.token.forget();
					void invalidateAll(); // new role: the page's data (and what it lets you edit) follows
				} else if (code === CloseCode.tokenExpired) {
					this.token.forget();
				}
			},
			// A frame the contract refuses is never applied; the engine's next pull or push gets a fresh answer.
			onInvalid: (error) => console.warn('workspace frame refused:', error.message)
		});
		if (this.stopped) return channel.close();
		this.channel = channel;
		this.connection = channel.status;
		// A socket can look open for a while after the network went away, and edits must not leave while
		// the browser says it is offline: drop the socket now. openChannel reconnects once it is back.
		const offline = () => {
			this.engine.disconnected();
			this.texts.disconnected();
			channel.reconnect();
		};
		window.addEventListener('offline', offline);
		this.teardown.push(() => window.removeEventListener('offline', offline));
	}

	/** Calls `listener` with each change of the assistant conversation; returns the unsubscribe. */
	onAssistant(listener: (news: AssistantNews) => void): () => void {
		this.assistantListeners.push(listener);
		return () => (this.assistantListeners = this.assistantListeners.filter((l) => l !== listener));
	}

	commit(event: WorkspaceEvent): Promise<void> {
		return this.engine.commit(event);
	}

	stop() {
		this.stopped = true;
		this.teardown.splice(0).forEach((fn) => fn());
		this.texts.closeAll();
		this.channel?.close();
		this.engine.dispose();
	}

	/** The socket's URL with a token good for it; throwing makes the socket back off and retry. */
	private async socketPath(): Promise<string> {
		const token = await this.token.forConnect();
		const query = `token=${encodeURIComponent(token)}${this.everOpened ? '&reconnect=1' : ''}`;
		return `/workspace/${encodeURIComponent(this.workspaceId)}/ws?${query}`;
	}
}

function openStore(userId: string): PendingStore {
	return typeof indexedDB === 'undefined' ? new MemoryPendingStore() : new IdbPendingStore(userId);
}
