import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { ClientKind, ClientPayload, ServerMessage } from '$lib/protocol/channel';
import {
	AWARENESS_SEND_INTERVAL_MS,
	DOC_NOT_FOUND_RETRIES,
	DOC_SEND_INTERVAL_MS,
	fromBase64,
	TEXT_ROOT,
	toBase64
} from '$lib/protocol/doc-limits';
import type { WorkspaceChannel } from '$lib/protocol/workspace-channel';

export type TextSend = <N extends ClientKind<WorkspaceChannel>>(
	type: N,
	payload: ClientPayload<WorkspaceChannel, N>
) => unknown;

/** Where a session keeps its text between visits and while offline (IndexedDB in the page). */
export interface TextCache {
	load(textId: string): Promise<CachedText | null>;
	/** `unsynced`: the state holds edits the server may not have (made offline, or before the first sync). */
	save(textId: string, state: Uint8Array, unsynced: boolean): Promise<void>;
	/** Texts whose cached state holds edits the server may not have: sent on the next connect. */
	unsynced(): Promise<string[]>;
}

export interface CachedText {
	state: Uint8Array;
	unsynced: boolean;
}

/** Who this browser is, as shown on its cursor to the others. */
export interface TextUser {
	id: string;
	name: string;
	color: string;
	colorLight: string;
}

export type TextStatus = 'offline' | 'syncing' | 'synced';
export type TextMessage = Extract<
	ServerMessage<WorkspaceChannel>,
	{ type: 'doc-sync' | 'doc-update' | 'doc-awareness' | 'doc-presence' | 'error' }
>;

/** Updates applied from the server are not sent back; the cache's are the server's or were sent already. */
const REMOTE = Symbol('remote');
const CACHE = Symbol('cache');
/** An update with no structs and no deletions (what encodeStateAsUpdate gives when nothing is missing). */
const EMPTY_UPDATE_BYTES = 2;
/** Cache writes wait for typing to pause this long (IndexedDB writes are not free). */
const CACHE_DELAY_MS = 300;

/**
 * One collaborative text in the browser: a Y.Doc and its awareness, synced on the workspace channel
 * after y-protocols' two-step sync (see workspace-channel.ts). Offline edits stay in the doc and its
 * IndexedDB cache; on every (re)connect the state vector exchange sends exactly what each side lacks,
 * so nothing typed on either side is lost and nothing is resent that the server has. Any refusal that
 * may be temporary (a rate limit, a lost frame) is repaired by the same exchange.
 */
export class TextSession {
	readonly doc = new Y.Doc();
	readonly text: Y.Text;
	readonly awareness: Awareness;
	status: TextStatus = 'offline';
	/** A refusal that will not go away by retrying (the text is at its size limit, or read-only). */
	error: string | null = null;
	/** Local edits the server may not have yet: made while not synced, until the next doc-sync sends them. */
	unsynced = false;

	private send: TextSend | null = null;
	private outbox: Uint8Array[] = [];
	private lastSentAt = 0;
	private sendTimer: ReturnType<typeof setTimeout> | null = null;
	private awarenessTimer: ReturnType<typeof setTimeout> | null = null;
	private cacheTimer: ReturnType<typeof setTimeout> | null = null;
	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	private listeners = new Set<() => void>();
	private closed = false;
	private notFoundRetries = 0;

	// Plain fields, not parameter properties: the benchmark runs this file under Node's type stripping.
	readonly textId: string;
	private readonly cache: TextCache | null;

	constructor(textId: string, user: TextUser, cache: TextCache | null = null) {
		this.textId = textId;
		this.cache = cache;
		this.text = this.doc.getText(TEXT_ROOT);
		this.awareness = new Awareness(this.doc);
		this.awareness.setLocalStateField('user', user);
		this.doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin !== REMOTE && origin !== CACHE) {
				if (this.status !== 'synced') this.unsynced = true;
				this.queue(update);
			}
			if (origin !== CACHE) this.scheduleCacheWrite();
		});
		this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
			const mine = [...added, ...updated, ...removed].includes(this.doc.clientID);
			if (origin === 'local' && mine) this.scheduleAwareness();
			this.notify();
		});
	}

	/** Loads the cached state (offline edits of earlier visits included) before the first connect. */
	async init(): Promise<void> {
		const cached = await this.cache?.load(this.textId).catch(() => null);
		if (!cached || this.closed) return;
		Y.applyUpdate(this.doc, cached.state, CACHE);
		if (cached.unsynced) this.unsynced = true;
	}

	/** Sets the id the server knows this user by (the socket's `hello`): awareness must carry it. */
	setUserId(id: string) {
		const user = this.awareness.getLocalState()?.user as TextUser | undefined;
		if (user && user.id !== id) this.awareness.setLocalStateField('user', { ...user, id });
	}

	connected(send: TextSend) {
		this.send = send;
		this.resync();
	}

	disconnected() {
		this.send = null;
		this.status = 'offline';
		this.clearTimers();
		// Nobody's cursor can be trusted while we cannot hear them leave.
		const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
		removeAwarenessStates(this.awareness, others, 'offline');
		this.notify();
	}

	receive(message: TextMessage) {
		switch (message.type) {
			case 'doc-sync': {
				const { update, stateVector } = message.payload;
				this.notFoundRetries = 0;
				Y.applyUpdate(this.doc, fromBase64(update), REMOTE);
				// Everything local the server lacks, offline edits included, in one update; the outbox's
				// updates are part of it.
				this.outbox = [];
				const missing = Y.encodeStateAsUpdate(this.doc, fromBase64(stateVector));
				if (missing.byteLength > EMPTY_UPDATE_BYTES)
					this.send?.('doc-update', { textId: this.textId, update: toBase64(missing) });
				this.status = 'synced';
				if (this.unsynced) {
					this.unsynced = false;
					this.saveNow();
				}
				this.sendAwareness();
				return this.notify();
			}
			case 'doc-update':
				return Y.applyUpdate(this.doc, fromBase64(message.payload.update), REMOTE);
			case 'doc-awareness':
				return applyAwarenessUpdate(this.awareness, fromBase64(message.payload.update), REMOTE);
			case 'doc-presence':
				if (message.payload.event === 'joined') return this.sendAwareness();
				return removeAwarenessStates(this.awareness, message.payload.clients, REMOTE);
			case 'error':
				return this.refused(message.payload.code, message.payload.message, message.payload.retryAfterMs);
		}
	}

	/** Re-renders on changes of status, error or who is here. */
	subscribe(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/**
	 * The editor closed: what is still coalescing goes out first, the others see the cursor go, the
	 * cache gets the last state (edits made before the first sync are sent from it the next time the
	 * text is opened).
	 */
	close() {
		if (this.closed) return;
		this.closed = true;
		if (this.sendTimer) clearTimeout(this.sendTimer);
		this.flush();
		this.send?.('doc-close', { textId: this.textId });
		this.clearTimers();
		this.saveNow();
		this.awareness.destroy();
		this.doc.destroy();
	}

	// ---- internals --------------------------------------------------------------------------------

	private resync() {
		if (!this.send || this.closed) return;
		this.status = 'syncing';
		this.send('doc-open', { textId: this.textId, stateVector: toBase64(Y.encodeStateVector(this.doc)) });
		this.notify();
	}

	private refused(code: string, message: string, retryAfterMs: number | undefined) {
		// A doc or task created a moment ago may not have reached the server's log yet: retried a few times.
		const pending = code === 'doc-not-found' && this.notFoundRetries++ < DOC_NOT_FOUND_RETRIES;
		if (pending || code === 'rate-limited' || code === 'doc-corrupt-update' || code === 'internal') {
			// What the server did not take is still in the doc: the next exchange sends it.
			this.status = 'syncing';
			if (this.retryTimer) clearTimeout(this.retryTimer);
			this.retryTimer = setTimeout(() => this.resync(), retryAfterMs ?? 1_000);
		} else {
			this.error = message;
		}
		this.notify();
	}

	/** Coalesces local updates into at most one frame per DOC_SEND_INTERVAL_MS (see there). */
	private queue(update: Uint8Array) {
		if (this.status !== 'synced') return; // the next doc-sync sends it
		this.outbox.push(update);
		if (this.sendTimer) return;
		const wait = this.lastSentAt + DOC_SEND_INTERVAL_MS - performance.now();
		if (wait <= 0) this.flush();
		else this.sendTimer = setTimeout(() => this.flush(), wait);
	}

	private flush() {
		this.sendTimer = null;
		if (!this.send || this.outbox.length === 0) return;
		const update = this.outbox.length === 1 ? this.outbox[0] : Y.mergeUpdates(this.outbox);
		this.outbox = [];
		this.lastSentAt = performance.now();
		this.send('doc-update', { textId: this.textId, update: toBase64(update) });
	}

	private scheduleAwareness() {
		if (this.awarenessTimer || this.status !== 'synced') return;
		this.awarenessTimer = setTimeout(() => this.sendAwareness(), AWARENESS_SEND_INTERVAL_MS);
	}

	private sendAwareness() {
		if (this.awarenessTimer) clearTimeout(this.awarenessTimer);
		this.awarenessTimer = null;
		if (!this.send || this.status !== 'synced') return;
		const update = encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
		this.send('doc-awareness', { textId: this.textId, update: toBase64(update) });
	}

	private scheduleCacheWrite() {
		if (!this.cache || this.cacheTimer) return;
		this.cacheTimer = setTimeout(() => {
			this.cacheTimer = null;
			if (!this.closed) this.saveNow();
		}, CACHE_DELAY_MS);
	}

	private saveNow() {
		if (this.cacheTimer) clearTimeout(this.cacheTimer);
		this.cacheTimer = null;
		void this.cache?.save(this.textId, Y.encodeStateAsUpdate(this.doc), this.unsynced).catch(() => {});
	}

	private clearTimers() {
		for (const timer of [this.sendTimer, this.awarenessTimer, this.retryTimer]) if (timer) clearTimeout(timer);
		this.sendTimer = this.awarenessTimer = this.retryTimer = null;
		// Unsent local updates stay in the doc; the next doc-sync sends them.
		this.outbox = [];
	}

	private notify() {
		for (const listener of this.listeners) listener();
	}
}

interface AwarenessChange {
	added: number[];
	updated: number[];
	removed: number[];
}
