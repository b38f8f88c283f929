import * as Y from 'yjs';
import type { ClientMessage, ServerKind, ServerPayload } from '$lib/protocol/channel';
import {
	AWARENESS_RATE_BURST,
	AWARENESS_RATE_WINDOW_MS,
	DOC_COUNT_MAX,
	DOC_NOT_FOUND_RETRY_MS,
	DOC_OPEN_MAX_PER_IDENTITY,
	DOC_OPEN_MAX_PER_SOCKET,
	DOC_OPEN_RATE_BURST,
	DOC_OPEN_RATE_WINDOW_MS,
	DOC_RATE_BURST,
	DOC_RATE_WINDOW_MS,
	DOC_STATE_MAX_BYTES,
	DOC_UPDATE_MAX_BYTES,
	fromBase64,
	TEXT_ROOT,
	toBase64
} from '$lib/protocol/doc-limits';
import type { WorkspaceChannel } from '$lib/protocol/workspace-channel';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { TokenBuckets, type BucketLimit } from '$lib/server/realtime/token-bucket';
import { COMPACT_AFTER_BYTES, COMPACT_AFTER_UPDATES, storedBytes, TextStore, type StoredText } from './text-store';
import { decodeBase64Or, ownAwarenessClient, refusal } from './text-refusal';

/** A text one socket has open; `awareness` is the Yjs client id its cursor speaks for, once it sent one. */
export interface TextSubscription {
	textId: string;
	awareness?: number;
}

export type TextMessage = Extract<
	ClientMessage<WorkspaceChannel>,
	{ type: 'doc-open' | 'doc-update' | 'doc-close' | 'doc-awareness' }
>;

export function isTextMessage(message: ClientMessage<WorkspaceChannel>): message is TextMessage {
	return message.type.startsWith('doc-');
}

/** What the texts need of the WorkspaceSync object that hosts them (its sockets and attachments). */
export interface TextHost {
	/** Open sockets with the texts each has open (from their attachments, which survive hibernation). */
	subscribers(textId: string): WebSocket[];
	texts(ws: WebSocket): TextSubscription[];
	/** How many texts are open on all the sockets of `identity` together. */
	textsOpenBy(identity: SocketIdentity): number;
	setTexts(ws: WebSocket, texts: TextSubscription[]): void;
	send<N extends ServerKind<WorkspaceChannel>>(
		ws: WebSocket,
		type: N,
		payload: ServerPayload<WorkspaceChannel, N>
	): void;
	/** Sends one message to many sockets, encoded once. */
	sendAll<N extends ServerKind<WorkspaceChannel>>(
		sockets: WebSocket[],
		type: N,
		payload: ServerPayload<WorkspaceChannel, N>
	): void;
	/** A doc's last whole-field body from before docs were Yjs texts (migrated on first load). */
	legacyBody(docId: string): string | null;
	/** Whether the doc or task a text id names exists in the event log's current state. */
	itemExists(textId: string): boolean;
}

/**
 * How long a deleted doc's or task's text is kept: longer than the client's Undo offer (UNDO_OFFER_MS,
 * which pauses while hovered), so Undo — re-creating the item under the same id — finds it intact.
 */
export const TEXT_DELETED_GRACE_MS = 10 * 60 * 1000;

/** Who is asking, as far as texts care. */
export interface TextCaller {
	identity: SocketIdentity;
	canEdit: boolean;
}

/**
 * The workspace's collaborative texts, after y-partyserver's YServer (one Y.Doc per text in memory
 * while someone has it open, updates relayed to the other subscribers) on our channel contract and our
 * storage (TextStore: snapshot + tail in SQLite, written before the fan-out so nothing acknowledged by
 * a broadcast can be lost). Everything a text needs to survive hibernation is in storage and in the
 * sockets' attachments; the in-memory docs are a cache rebuilt on demand.
 *
 * Every inbound update is checked before it touches the text: open on this socket, the caller may edit,
 * size, the member's budget, and that it decodes as a Yjs update. A refused update changes nothing.
 */
export class TextSync {
	/** Compaction thresholds; public so a test (or the benchmark) can change them. */
	compactAfter = { updates: COMPACT_AFTER_UPDATES, bytes: COMPACT_AFTER_BYTES };
	updateLimit: BucketLimit = { burst: DOC_RATE_BURST, windowMs: DOC_RATE_WINDOW_MS };
	awarenessLimit: BucketLimit = { burst: AWARENESS_RATE_BURST, windowMs: AWARENESS_RATE_WINDOW_MS };
	openLimit: BucketLimit = { burst: DOC_OPEN_RATE_BURST, windowMs: DOC_OPEN_RATE_WINDOW_MS };
	/** How long a deleted item's text is kept for Undo; public so a test can lower it. */
	deletedGraceMs = TEXT_DELETED_GRACE_MS;
	/** Texts one person may have open across their sockets; public so a test can lower it. */
	openMaxPerIdentity = DOC_OPEN_MAX_PER_IDENTITY;
	private readonly store: TextStore;
	private readonly live = new Map<string, StoredText>();
	private readonly updateBuckets: TokenBuckets;
	private readonly awarenessBuckets: TokenBuckets;
	private readonly openBuckets: TokenBuckets;

	constructor(
		storage: DurableObjectStorage,
		private readonly host: TextHost
	) {
		this.store = new TextStore(storage);
		this.updateBuckets = new TokenBuckets(storage, 'text_update_buckets');
		this.awarenessBuckets = new TokenBuckets(storage, 'awareness_buckets');
		this.openBuckets = new TokenBuckets(storage, 'text_open_buckets');
	}

	receive(ws: WebSocket, caller: TextCaller, message: TextMessage): void {
		const { textId } = message.payload;
		switch (message.type) {
			case 'doc-open':
				return this.open(ws, caller, textId, message.payload.stateVector);
			case 'doc-update':
				return this.update(ws, caller, textId, message.payload.update);
			case 'doc-awareness':
				return this.awareness(ws, caller, textId, message.payload.update);
			case 'doc-close':
				return this.close(ws, textId);
		}
	}

	/** A socket closed: its cursors leave every text it had open. */
	socketGone(texts: TextSubscription[]): void {
		for (const subscription of texts) this.left(subscription);
	}

	/**
	 * A doc or task was deleted: its text is marked deleted and kept for `deletedGraceMs`, so an Undo
	 * (the item re-created under the same id) gets it back intact; texts marked longer ago are purged.
	 */
	deleted(textId: string, now = Date.now()): void {
		this.live.delete(textId);
		this.store.markDeleted(textId, now);
		this.purgeExpired(now);
	}

	/** A doc or task was (re-)created: a text kept since its deletion is its text again. */
	restored(textId: string): void {
		this.store.unmarkDeleted(textId);
	}

	/** Whether a text's storage exists, deleted-but-kept or not (tests). */
	stored(textId: string): boolean {
		return this.store.stored(textId);
	}

	/** The stored text, loaded (tests, the benchmark); null when it was never stored. */
	text(textId: string): Y.Doc | null {
		return this.load(textId)?.doc ?? null;
	}

	/** Drops every in-memory doc, as an eviction does (tests). */
	forgetLoaded(): void {
		this.live.clear();
	}

	// ---- messages -------------------------------------------------------------------------------

	private open(ws: WebSocket, caller: TextCaller, textId: string, clientVector: string): void {
		const texts = this.host.texts(ws);
		const already = texts.some((t) => t.textId === textId);
		if (!already && texts.length >= DOC_OPEN_MAX_PER_SOCKET) {
			throw refusal('doc-open-limit', `At most ${DOC_OPEN_MAX_PER_SOCKET} texts open per connection.`, textId);
		}
		if (!already && this.host.textsOpenBy(caller.identity) >= this.openMaxPerIdentity) {
			throw refusal('doc-open-limit', `At most ${this.openMaxPerIdentity} texts open at once per person.`, textId);
		}
		let vector: Uint8Array;
		try {
			vector = fromBase64(clientVector);
			Y.decodeStateVector(vector);
		} catch {
			throw refusal('doc-corrupt-update', 'That state vector could not be read.', textId);
		}
		// Every open may load a text into memory (and create one): charged to the member, like edits.
		const retryAfterMs = this.openBuckets.take(caller.identity.id, this.openLimit);
		if (retryAfterMs > 0) {
			throw new ProtocolError(
				'rate-limited',
				`Too many texts opened: retry in ${retryAfterMs} ms.`,
				retryAfterMs,
				textId
			);
		}
		// Only the text of a doc or task that exists, so made-up ids cannot fill DOC_COUNT_MAX. Its creation
		// may still be in its author's outbox: the client retries a few times (DOC_NOT_FOUND_RETRIES).
		if (!this.host.itemExists(textId)) {
			throw new ProtocolError(
				'doc-not-found',
				'No doc or task with that id exists in this workspace.',
				DOC_NOT_FOUND_RETRY_MS,
				textId
			);
		}
		this.purgeExpired(Date.now());
		// A viewer opening a text nobody has written yet gets it empty, without storing anything, so
		// readers cannot fill the workspace's text budget; the first editor's load sends it to them. A doc
		// with a body from before docs were texts is migrated though: viewers would otherwise see it empty.
		let text = this.load(textId);
		if (!text) {
			const legacy = this.legacyBody(textId);
			if (caller.canEdit || legacy) text = this.create(textId, ws, legacy);
		}
		const doc = text?.doc ?? new Y.Doc();
		if (!already) this.host.setTexts(ws, [...texts, { textId }]);
		this.host.send(ws, 'doc-sync', {
			textId,
			update: toBase64(Y.encodeStateAsUpdate(doc, vector)),
			stateVector: toBase64(Y.encodeStateVector(doc))
		});
		const others = this.host.subscribers(textId).filter((s) => s !== ws);
		this.host.sendAll(others, 'doc-presence', { textId, event: 'joined', clients: [] });
	}

	private update(ws: WebSocket, caller: TextCaller, textId: string, encoded: string): void {
		this.requireOpen(ws, textId);
		if (!caller.canEdit) throw refusal('forbidden', 'Viewers cannot edit this text.', textId);
		const update = decodeBase64Or(encoded, textId);
		if (update.byteLength > DOC_UPDATE_MAX_BYTES) {
			throw refusal(
				'doc-update-too-large',
				`An update may carry ${DOC_UPDATE_MAX_BYTES} bytes, not ${update.byteLength}.`,
				textId
			);
		}
		// The bucket row is written after the fan-out (see below); the check itself reads the cache.
		const retryAfterMs = this.updateBuckets.take(caller.identity.id, this.updateLimit, Date.now(), true);
		if (retryAfterMs > 0) {
			throw new ProtocolError('rate-limited', `Too many edits: retry in ${retryAfterMs} ms.`, retryAfterMs, textId);
		}
		try {
			// Decoding the whole update first: applyUpdate integrates structs before it reads the delete set,
			// so a corrupt tail would otherwise leave half an update in the document.
			Y.decodeUpdate(update);
		} catch {
			throw refusal('doc-corrupt-update', 'That update is not a readable Yjs update; the text is unchanged.', textId);
		}
		const text = this.load(textId) ?? this.create(textId, ws, this.legacyBody(textId));
		if (storedBytes(text) + update.byteLength > DOC_STATE_MAX_BYTES) {
			this.store.compact(text, textId);
			if (storedBytes(text) + update.byteLength > DOC_STATE_MAX_BYTES) {
				throw refusal('doc-too-large', `This text is at its size limit (${DOC_STATE_MAX_BYTES} bytes).`, textId);
			}
		}
		try {
			Y.applyUpdate(text.doc, update);
		} catch {
			// Unreadable after all: drop the in-memory copy (it may hold part of it); storage is untouched.
			this.live.delete(textId);
			throw refusal('doc-corrupt-update', 'That update could not be applied; the text is unchanged.', textId);
		}
		// Fan-out before the storage writes, so the output gate does not hold it until they commit. Safe for
		// a CRDT: should the write be lost, the author and every receiver still hold the update, and the
		// next state-vector exchange (every reconnect) gives it back to the object.
		const others = this.host.subscribers(textId).filter((s) => s !== ws);
		this.host.sendAll(others, 'doc-update', { textId, update: encoded });
		this.updateBuckets.commit(caller.identity.id);
		this.store.append(text, textId, update);
		if (text.tailUpdates >= this.compactAfter.updates || text.tailBytes >= this.compactAfter.bytes) {
			this.store.compact(text, textId);
		}
	}

	private awareness(ws: WebSocket, caller: TextCaller, textId: string, encoded: string): void {
		const subscription = this.requireOpen(ws, textId);
		const retryAfterMs = this.awarenessBuckets.take(caller.identity.id, this.awarenessLimit);
		if (retryAfterMs > 0) {
			throw new ProtocolError(
				'rate-limited',
				`Too many cursor updates: retry in ${retryAfterMs} ms.`,
				retryAfterMs,
				textId
			);
		}
		const clientId = ownAwarenessClient(decodeBase64Or(encoded, textId), caller.identity.id);
		if (clientId === null) {
			throw refusal('awareness-refused', 'An awareness update carries exactly your own state.', textId);
		}
		if (subscription.awareness === undefined) {
			this.host.setTexts(
				ws,
				this.host.texts(ws).map((t) => (t.textId === textId ? { ...t, awareness: clientId } : t))
			);
		} else if (subscription.awareness !== clientId) {
			throw refusal('awareness-refused', 'This connection already speaks for another cursor.', textId);
		}
		const others = this.host.subscribers(textId).filter((s) => s !== ws);
		this.host.sendAll(others, 'doc-awareness', { textId, update: encoded });
	}

	private close(ws: WebSocket, textId: string): void {
		const texts = this.host.texts(ws);
		const subscription = texts.find((t) => t.textId === textId);
		if (!subscription) return;
		this.host.setTexts(
			ws,
			texts.filter((t) => t !== subscription)
		);
		this.left(subscription);
	}

	/**
	 * A change made by the server itself (the assistant appending to a doc), through the same path as a
	 * member's update: the size limit, the fan-out to everyone with the text open (so open editors
	 * converge on it like on a collaborator's typing), then storage. `bytesHint` is what the change adds,
	 * checked against the limit before it is applied. Returns what `change` returns.
	 */
	serverEdit<T>(textId: string, bytesHint: number, change: (text: Y.Text) => T): T {
		const text = this.load(textId) ?? this.create(textId, null, this.legacyBody(textId));
		if (storedBytes(text) + bytesHint > DOC_STATE_MAX_BYTES) {
			this.store.compact(text, textId);
			if (storedBytes(text) + bytesHint > DOC_STATE_MAX_BYTES) {
				throw refusal('doc-too-large', `This text is at its size limit (${DOC_STATE_MAX_BYTES} bytes).`, textId);
			}
		}
		const before = Y.encodeStateVector(text.doc);
		let result!: T;
		text.doc.transact(() => (result = change(text.doc.getText(TEXT_ROOT))));
		const update = Y.encodeStateAsUpdate(text.doc, before);
		this.host.sendAll(this.host.subscribers(textId), 'doc-update', { textId, update: toBase64(update) });
		this.store.append(text, textId, update);
		if (text.tailUpdates >= this.compactAfter.updates || text.tailBytes >= this.compactAfter.bytes) {
			this.store.compact(text, textId);
		}
		return result;
	}

	// ---- internals ------------------------------------------------------------------------------

	private left(subscription: TextSubscription): void {
		const { textId, awareness } = subscription;
		const remaining = this.host.subscribers(textId);
		if (awareness !== undefined) {
			this.host.sendAll(remaining, 'doc-presence', { textId, event: 'left', clients: [awareness] });
		}
		// Nobody left reading it: the in-memory copy goes (storage has everything).
		if (remaining.length === 0) this.live.delete(textId);
	}

	private requireOpen(ws: WebSocket, textId: string): TextSubscription {
		const subscription = this.host.texts(ws).find((t) => t.textId === textId);
		if (!subscription) throw refusal('doc-not-open', 'Open the text (doc-open) before sending to it.', textId);
		return subscription;
	}

	/** A doc's body from before docs were Yjs texts (null for tasks and for docs without one). */
	private legacyBody(textId: string): string | null {
		return textId.startsWith('doc:') ? this.host.legacyBody(textId.slice(4)) : null;
	}

	/** Purges the texts whose grace after deletion has passed (on deletes and opens: the object has no alarm). */
	private purgeExpired(now: number): void {
		for (const id of this.store.purgeDeleted(now - this.deletedGraceMs)) this.live.delete(id);
	}

	private load(textId: string): StoredText | null {
		const cached = this.live.get(textId);
		if (cached) return cached;
		const stored = this.store.load(textId);
		if (stored) this.live.set(textId, stored);
		return stored;
	}

	/**
	 * A text's first load: a doc written before docs were Yjs texts brings its last body along (the
	 * migration happens here, once, on the single writer, so two clients opening it at once cannot both
	 * insert it). Readers who opened it while it did not exist get its state.
	 */
	private create(textId: string, opener: WebSocket | null, body: string | null): StoredText {
		if (!this.host.itemExists(textId)) {
			throw refusal('doc-not-found', 'That doc or task was deleted.', textId);
		}
		const count = this.store.count();
		if (count >= DOC_COUNT_MAX) {
			// Deleted texts kept for Undo give way first, the oldest even before their grace has passed.
			const purged = this.store.purgeDeleted(Date.now() - this.deletedGraceMs, count - DOC_COUNT_MAX + 1);
			for (const id of purged) this.live.delete(id);
			if (this.store.count() >= DOC_COUNT_MAX) {
				throw refusal('doc-count-limit', `A workspace holds at most ${DOC_COUNT_MAX} texts.`, textId);
			}
		}
		const doc = new Y.Doc();
		if (body) doc.getText(TEXT_ROOT).insert(0, body);
		const text = this.store.create(textId, doc);
		this.live.set(textId, text);
		if (body) {
			const readers = this.host.subscribers(textId).filter((s) => s !== opener);
			this.host.sendAll(readers, 'doc-update', { textId, update: toBase64(Y.encodeStateAsUpdate(doc)) });
		}
		return text;
	}
}
