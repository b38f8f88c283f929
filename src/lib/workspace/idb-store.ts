import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { eventKey, type PendingEvent } from '$lib/protocol/workspace-messages';
import { isWorkspaceState } from '$lib/protocol/workspace-reducer';
import type { PendingStore, Snapshot } from './pending-store';

/**
 * The browser's PendingStore: IndexedDB via `idb`, one database per signed-in user, so a second person
 * signing in on the same browser never loads (and pushes under their own name) the first one's unsent
 * edits or reads their workspaces' snapshots. Pending events get an auto-increment key, so loading them
 * back returns them in the order they were made, across reloads and across the client ids of earlier
 * sessions (which are adopted and pushed by the next one).
 */
export function workspaceDbName(userId: string): string {
	return `murmur-workspace:${userId}`;
}
/** The one database all users shared before it was split per user; its contents cannot be attributed. */
const LEGACY_DB_NAME = 'murmur-workspace';
/** Bump with an upgrade step when the stores change shape. */
const DB_VERSION = 1;

interface PendingRow {
	workspaceId: string;
	/** Who made the edit: rows of anyone else are dropped, never pushed. */
	userId: string;
	key: string;
	event: PendingEvent;
}

interface WorkspaceDb extends DBSchema {
	pending: { key: number; value: PendingRow; indexes: { byWorkspace: string; byKey: string } };
	snapshots: { key: string; value: Snapshot & { workspaceId: string } };
}

export class IdbPendingStore implements PendingStore {
	private db: Promise<IDBPDatabase<WorkspaceDb>>;

	constructor(private readonly userId: string) {
		void deleteDB(LEGACY_DB_NAME).catch(() => {});
		this.db = openDB<WorkspaceDb>(workspaceDbName(userId), DB_VERSION, {
			upgrade(db) {
				const pending = db.createObjectStore('pending', { autoIncrement: true });
				pending.createIndex('byWorkspace', 'workspaceId');
				pending.createIndex('byKey', 'key', { unique: false });
				db.createObjectStore('snapshots', { keyPath: 'workspaceId' });
			}
		});
	}

	async loadPending(workspaceId: string): Promise<PendingEvent[]> {
		const db = await this.db;
		// Index order is (workspaceId, primary key), i.e. creation order within the workspace.
		const tx = db.transaction('pending', 'readwrite');
		const mine: PendingEvent[] = [];
		for (
			let cursor = await tx.store.index('byWorkspace').openCursor(workspaceId);
			cursor;
			cursor = await cursor.continue()
		) {
			if (cursor.value.userId === this.userId) mine.push(cursor.value.event);
			else await cursor.delete();
		}
		await tx.done;
		return mine;
	}

	async addPending(workspaceId: string, event: PendingEvent): Promise<void> {
		const db = await this.db;
		await db.add('pending', { workspaceId, userId: this.userId, key: pendingKey(workspaceId, event), event });
	}

	async removePending(workspaceId: string, events: PendingEvent[]): Promise<void> {
		const db = await this.db;
		const tx = db.transaction('pending', 'readwrite');
		const index = tx.store.index('byKey');
		for (const event of events) {
			for (const primary of await index.getAllKeys(pendingKey(workspaceId, event))) await tx.store.delete(primary);
		}
		await tx.done;
	}

	/**
	 * A snapshot saved before the state held Maps (plain objects, maybe with ghost entries of
	 * prototype-named ids) is not loaded: the client starts from cursor 0 and rebuilds it from the log,
	 * and the next snapshot overwrites the row.
	 */
	async loadSnapshot(workspaceId: string): Promise<Snapshot | null> {
		const db = await this.db;
		const row = await db.get('snapshots', workspaceId);
		if (!row || !isWorkspaceState(row.state)) return null;
		return { backendId: row.backendId, cursor: row.cursor, state: row.state };
	}

	async saveSnapshot(workspaceId: string, snapshot: Snapshot): Promise<void> {
		const db = await this.db;
		await db.put('snapshots', { workspaceId, ...snapshot });
	}

	async forget(workspaceId: string): Promise<void> {
		const db = await this.db;
		const tx = db.transaction(['pending', 'snapshots'], 'readwrite');
		const pending = tx.objectStore('pending');
		for (const primary of await pending.index('byWorkspace').getAllKeys(workspaceId)) await pending.delete(primary);
		await tx.objectStore('snapshots').delete(workspaceId);
		await tx.done;
	}
}

function pendingKey(workspaceId: string, event: PendingEvent) {
	return `${workspaceId}#${eventKey(event)}`;
}
