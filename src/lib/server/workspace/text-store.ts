import * as Y from 'yjs';
import { migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';

/**
 * The workspace's collaborative texts in its Durable Object's SQLite, as y-partyserver's persistence
 * keeps them but compacted: each text is one snapshot (a Yjs state update) plus a tail of the updates
 * accepted since. Appending an update is one small insert (what a keystroke costs); when the tail grows
 * past a threshold it is folded into a new snapshot, so loading a text with 100,000 edits reads one
 * snapshot and a short tail, and storage holds the text's state rather than its whole history.
 */

/** Tail length that triggers compaction: loading replays at most this many updates after the snapshot. */
export const COMPACT_AFTER_UPDATES = 500;
/** …or tail bytes: a few large pastes compact as soon as many keystrokes would. */
export const COMPACT_AFTER_BYTES = 64 * 1024;

const TEXT_SCHEMA: readonly SchemaStep[] = [
	`CREATE TABLE text_snapshots (text_id TEXT PRIMARY KEY, state BLOB NOT NULL) WITHOUT ROWID`,
	`CREATE TABLE text_updates (id INTEGER PRIMARY KEY AUTOINCREMENT, text_id TEXT NOT NULL, data BLOB NOT NULL)`,
	`CREATE INDEX text_updates_by_text ON text_updates (text_id, id)`,
	// Texts whose doc or task was deleted, kept for a grace period so Undo (which re-creates the item
	// under the same id) finds its text intact; purged after it (TextSync.deletedGraceMs).
	`CREATE TABLE text_deletions (text_id TEXT PRIMARY KEY, deleted_at INTEGER NOT NULL) WITHOUT ROWID`,
	`CREATE INDEX text_deletions_by_time ON text_deletions (deleted_at)`
];

/** A text as loaded: its document, and what its storage holds (for the size limit and compaction). */
export interface StoredText {
	doc: Y.Doc;
	snapshotBytes: number;
	tailUpdates: number;
	tailBytes: number;
}

export class TextStore {
	private readonly sql: SqlStorage;

	constructor(private readonly storage: DurableObjectStorage) {
		this.sql = storage.sql;
		migrateSchema(storage, 'texts', TEXT_SCHEMA);
	}

	/** How many texts the workspace holds (DOC_COUNT_MAX). */
	count(): number {
		return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM text_snapshots`).one().n;
	}

	/** The text from its snapshot and tail, or null when it was never stored. */
	load(textId: string): StoredText | null {
		const snapshot = this.sql
			.exec<{ state: ArrayBuffer }>(`SELECT state FROM text_snapshots WHERE text_id = ?`, textId)
			.toArray()[0];
		if (!snapshot) return null;
		const doc = new Y.Doc();
		Y.applyUpdate(doc, new Uint8Array(snapshot.state));
		let tailUpdates = 0;
		let tailBytes = 0;
		// One transaction for the whole tail: observers and the struct merge run once, not per update.
		doc.transact(() => {
			for (const row of this.sql.exec<{ data: ArrayBuffer }>(
				`SELECT data FROM text_updates WHERE text_id = ? ORDER BY id`,
				textId
			)) {
				Y.applyUpdate(doc, new Uint8Array(row.data));
				tailUpdates++;
				tailBytes += row.data.byteLength;
			}
		});
		return { doc, snapshotBytes: snapshot.state.byteLength, tailUpdates, tailBytes };
	}

	/** Stores a new text's first snapshot (empty, or its migrated body). */
	create(textId: string, doc: Y.Doc): StoredText {
		const state = Y.encodeStateAsUpdate(doc);
		this.sql.exec(`INSERT INTO text_snapshots (text_id, state) VALUES (?, ?)`, textId, state);
		return { doc, snapshotBytes: state.byteLength, tailUpdates: 0, tailBytes: 0 };
	}

	/** Appends one accepted update to the text's tail. */
	append(text: StoredText, textId: string, update: Uint8Array): void {
		this.sql.exec(`INSERT INTO text_updates (text_id, data) VALUES (?, ?)`, textId, update);
		text.tailUpdates++;
		text.tailBytes += update.byteLength;
	}

	/** Folds the tail into a new snapshot of the document's current state, in one transaction. */
	compact(text: StoredText, textId: string): void {
		const state = Y.encodeStateAsUpdate(text.doc);
		this.storage.transactionSync(() => {
			this.sql.exec(`UPDATE text_snapshots SET state = ? WHERE text_id = ?`, state, textId);
			this.sql.exec(`DELETE FROM text_updates WHERE text_id = ?`, textId);
		});
		text.snapshotBytes = state.byteLength;
		text.tailUpdates = 0;
		text.tailBytes = 0;
	}

	/** Marks a text deleted at `now` (its doc or task was); its storage stays until purged. */
	markDeleted(textId: string, now: number): void {
		this.sql.exec(
			`INSERT INTO text_deletions (text_id, deleted_at) SELECT text_id, ? FROM text_snapshots WHERE text_id = ?
			 ON CONFLICT (text_id) DO UPDATE SET deleted_at = excluded.deleted_at`,
			now,
			textId
		);
	}

	/** Its doc or task is back (Undo): the text is no longer marked deleted. */
	unmarkDeleted(textId: string): void {
		this.sql.exec(`DELETE FROM text_deletions WHERE text_id = ?`, textId);
	}

	/** How many texts are marked deleted and not purged yet. */
	deletedCount(): number {
		return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM text_deletions`).one().n;
	}

	/**
	 * Deletes the storage of texts marked deleted at or before `before`, and of at least `atLeast` of the
	 * oldest marked ones whatever their age. Returns the ids purged (their in-memory copies go too).
	 */
	purgeDeleted(before: number, atLeast = 0): string[] {
		return this.storage.transactionSync(() => {
			const ids = this.sql
				.exec<{ text_id: string }>(
					`SELECT text_id FROM text_deletions WHERE deleted_at <= ?
					 UNION SELECT text_id FROM (SELECT text_id FROM text_deletions ORDER BY deleted_at LIMIT ?)`,
					before,
					atLeast
				)
				.toArray()
				.map((row) => row.text_id);
			for (const textId of ids) {
				this.sql.exec(`DELETE FROM text_snapshots WHERE text_id = ?`, textId);
				this.sql.exec(`DELETE FROM text_updates WHERE text_id = ?`, textId);
				this.sql.exec(`DELETE FROM text_deletions WHERE text_id = ?`, textId);
			}
			return ids;
		});
	}

	/** Whether a text's storage exists (tests: purged or not). */
	stored(textId: string): boolean {
		return this.sql.exec(`SELECT 1 FROM text_snapshots WHERE text_id = ?`, textId).toArray().length > 0;
	}
}

/** Bytes a text takes in storage (its snapshot and tail): what DOC_STATE_MAX_BYTES bounds. */
export function storedBytes(text: StoredText): number {
	return text.snapshotBytes + text.tailBytes;
}
