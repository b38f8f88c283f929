import { WebSocket as ReconnectingSocket } from 'partysocket';
import { invalidateAll } from '$app/navigation';
import type { WorkspaceEvent } from '$lib/protocol/workspace-events';
import { emptyWorkspace } from '$lib/protocol/workspace-reducer';
import { IdbPendingStore } from './idb-store';
import { MemoryPendingStore, type PendingStore } from './pending-store';
import { SyncEngine, type SyncView } from './sync-engine';

/** Close code the server uses when a member is removed: reconnecting would only be refused. */
const POLICY_CLOSE = 1008;
/**
 * Close code for "your claims changed" (e.g. a new role; CloseCode.claimsChanged on the server): the
 * socket reconnects with a fresh token, and the page reloads its data to show the new role.
 */
const CLAIMS_CHANGED_CLOSE = 4001;
/** Reconnect quickly after a blip, but back off to 5 s so a server outage is not hammered. */
const RECONNECT = { minReconnectionDelay: 300, maxReconnectionDelay: 5_000, reconnectionDelayGrowFactor: 1.5 };

/**
 * The page's handle on one workspace: a SyncEngine with an IndexedDB store, a partysocket that fetches a
 * fresh workspace JWT (session cookie) before every (re)connect, and reactive `view` for components.
 */
export class WorkspaceClient {
	view: SyncView = $state({
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

	private engine: SyncEngine;
	private store: PendingStore;
	private socket: ReconnectingSocket | null = null;
	private everOpened = false;
	private teardown: (() => void)[] = [];

	/** `userId` names this user's own IndexedDB database ('guest' for the no-account demo). */
	constructor(
		readonly workspaceId: string,
		userId: string
	) {
		this.store = openStore(userId);
		this.engine = new SyncEngine(workspaceId, this.store);
	}

	async start(): Promise<void> {
		await this.engine.init();
		this.teardown.push(this.engine.subscribe((view) => (this.view = view)));
		const socket = new ReconnectingSocket(() => this.socketUrl(), undefined, {
			...RECONNECT,
			// Never queue frames while closed: the engine re-pulls and re-pushes on every open.
			maxEnqueuedMessages: 0,
			shouldReconnectOnClose: (event) => event.code !== POLICY_CLOSE
		});
		this.socket = socket;
		socket.addEventListener('open', () => {
			this.everOpened = true;
			this.engine.connected((text) => socket.send(text));
		});
		socket.addEventListener('message', (event: MessageEvent<string>) => this.engine.receive(event.data));
		socket.addEventListener('close', (event: CloseEvent) => {
			this.engine.disconnected();
			if (event.code === POLICY_CLOSE) {
				this.revoked = event.reason || 'Your access to this workspace was removed.';
				// Nothing of a workspace one may no longer read stays on the device, unsent edits included.
				void this.store.forget(this.workspaceId);
			} else if (event.code === CLAIMS_CHANGED_CLOSE) {
				void invalidateAll(); // new role: the page's data (and what it lets you edit) follows
			}
		});
		// The socket may take a while to notice a dead network; the browser's own signal is faster.
		const offline = () => {
			this.engine.disconnected();
			socket.close();
		};
		const online = () => {
			if (!this.revoked) socket.reconnect();
		};
		window.addEventListener('offline', offline);
		window.addEventListener('online', online);
		this.teardown.push(() => {
			window.removeEventListener('offline', offline);
			window.removeEventListener('online', online);
		});
	}

	commit(event: WorkspaceEvent): Promise<void> {
		return this.engine.commit(event);
	}

	stop() {
		this.teardown.splice(0).forEach((fn) => fn());
		this.socket?.close();
		this.engine.dispose();
	}

	/** A fresh token per connection attempt; throwing makes partysocket back off and retry. */
	private async socketUrl(): Promise<string> {
		const response = await fetch('/api/workspace/token', { credentials: 'same-origin', cache: 'no-store' });
		if (!response.ok) throw new Error(`token request failed (${response.status})`);
		const { token } = (await response.json()) as { token: string };
		const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
		// Built once per attempt, not reactive state: a plain string is enough.
		const query = `token=${encodeURIComponent(token)}${this.everOpened ? '&reconnect=1' : ''}`;
		return `${protocol}//${location.host}/workspace/${encodeURIComponent(this.workspaceId)}/ws?${query}`;
	}
}

function openStore(userId: string): PendingStore {
	return typeof indexedDB === 'undefined' ? new MemoryPendingStore() : new IdbPendingStore(userId);
}
