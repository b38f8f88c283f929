import { WebSocket as ReconnectingSocket } from 'partysocket';
import type { WorkspaceEvent } from '$lib/protocol/workspace-events';
import { emptyWorkspace } from '$lib/protocol/workspace-reducer';
import { IdbPendingStore } from './idb-store';
import { MemoryPendingStore, type PendingStore } from './pending-store';
import { SyncEngine, type SyncView } from './sync-engine';

/** Close code the server uses when a member is removed: reconnecting would only be refused. */
const POLICY_CLOSE = 1008;
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
		error: null
	});
	/** Set when the server closed the socket for policy (membership revoked): no more reconnects. */
	revoked: string | null = $state(null);
	userId: string | null = $state(null);

	private engine: SyncEngine;
	private socket: ReconnectingSocket | null = null;
	private everOpened = false;
	private teardown: (() => void)[] = [];

	constructor(readonly workspaceId: string) {
		this.engine = new SyncEngine(workspaceId, openStore());
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
			if (event.code === POLICY_CLOSE) this.revoked = event.reason || 'Your access to this workspace was removed.';
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
		const { token, userId } = (await response.json()) as { token: string; userId: string };
		this.userId = userId;
		const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
		// Built once per attempt, not reactive state: a plain string is enough.
		const query = `token=${encodeURIComponent(token)}${this.everOpened ? '&reconnect=1' : ''}`;
		return `${protocol}//${location.host}/workspace/${encodeURIComponent(this.workspaceId)}/ws?${query}`;
	}
}

function openStore(): PendingStore {
	return typeof indexedDB === 'undefined' ? new MemoryPendingStore() : new IdbPendingStore();
}
