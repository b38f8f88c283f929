import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PendingEvent } from '$lib/protocol/workspace-messages';
import type { PendingStore, Snapshot } from './pending-store';

/**
 * The browser's PendingStore: IndexedDB via `idb`. Pending events get an auto-increment key, so loading
 * them back returns them in the order they were made, across reloads and across the client ids of
 * earlier sessions (which are adopted and pushed by the next one).
 */
const DB_NAME = 'murmur-workspace';
/** Bump with an upgrade step when the stores change shape. */
const DB_VERSION = 1;

interface WorkspaceDb extends DBSchema {
	pending: {
		key: number;
		value: { workspaceId: string; key: string; event: PendingEvent };
		indexes: { byWorkspace: string; byKey: string };
	};
	snapshots: { key: string; value: Snapshot & { workspaceId: string } };
}

export class IdbPendingStore implements PendingStore {
	private db: Promise<IDBPDatabase<WorkspaceDb>>;

	constructor() {
		this.db = openDB<WorkspaceDb>(DB_NAME, DB_VERSION, {
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
		const rows = await db.getAllFromIndex('pending', 'byWorkspace', workspaceId);
		return rows.map((r) => r.event);
	}

	async addPending(workspaceId: string, event: PendingEvent): Promise<void> {
		const db = await this.db;
		await db.add('pending', { workspaceId, key: pendingKey(workspaceId, event), event });
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

	async loadSnapshot(workspaceId: string): Promise<Snapshot | null> {
		const db = await this.db;
		const row = await db.get('snapshots', workspaceId);
		return row ? { backendId: row.backendId, cursor: row.cursor, state: row.state } : null;
	}

	async saveSnapshot(workspaceId: string, snapshot: Snapshot): Promise<void> {
		const db = await this.db;
		await db.put('snapshots', { workspaceId, ...snapshot });
	}
}

function pendingKey(workspaceId: string, event: PendingEvent) {
	return `${workspaceId}#${event.clientId}#${event.clientSeq}`;
}
