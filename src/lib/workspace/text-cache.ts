import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedText, TextCache } from './text-session';

/**
 * The browser's TextCache: each text's Yjs state in IndexedDB, one database per signed-in user (as the
 * workspace's pending store), so offline edits survive a reload and a second person on this browser never
 * loads the first one's texts. Rows are keyed by workspace and text, so a workspace can be forgotten whole.
 */
export function textDbName(userId: string): string {
	return `murmur-texts:${userId}`;
}
const DB_VERSION = 1;

interface TextDb extends DBSchema {
	texts: {
		key: [string, string];
		value: { workspaceId: string; textId: string; state: Uint8Array; unsynced?: boolean };
		indexes: { byWorkspace: string };
	};
}

export class IdbTextCache implements TextCache {
	private db: Promise<IDBPDatabase<TextDb>>;
	/** The last write per text: a load waits for it, so a text reopened at once sees its own last state. */
	private readonly writes = new Map<string, Promise<void>>();

	constructor(
		userId: string,
		private readonly workspaceId: string
	) {
		this.db = openDB<TextDb>(textDbName(userId), DB_VERSION, {
			upgrade(db) {
				db.createObjectStore('texts', { keyPath: ['workspaceId', 'textId'] }).createIndex('byWorkspace', 'workspaceId');
			}
		});
	}

	async load(textId: string): Promise<CachedText | null> {
		await this.writes.get(textId);
		const row = await (await this.db).get('texts', [this.workspaceId, textId]);
		return row ? { state: new Uint8Array(row.state), unsynced: row.unsynced === true } : null;
	}

	async unsynced(): Promise<string[]> {
		const rows = await (await this.db).getAllFromIndex('texts', 'byWorkspace', this.workspaceId);
		return rows.filter((row) => row.unsynced === true).map((row) => row.textId);
	}

	save(textId: string, state: Uint8Array, unsynced: boolean): Promise<void> {
		const write = (this.writes.get(textId) ?? Promise.resolve())
			.catch(() => {})
			.then(async () => {
				await (await this.db).put('texts', { workspaceId: this.workspaceId, textId, state, unsynced });
			});
		this.writes.set(textId, write);
		return write;
	}

	/** Drops every text of this workspace (the membership was removed). */
	async forget(): Promise<void> {
		const db = await this.db;
		const range = IDBKeyRange.bound([this.workspaceId, ''], [this.workspaceId, '\uffff']);
		await db.delete('texts', range);
	}
}
