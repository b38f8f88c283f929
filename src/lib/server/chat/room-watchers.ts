import { log } from '$lib/server/log';
import { migrateSchema } from '$lib/server/realtime/sql-schema';

/**
 * Summaries go out at most this often per room (per watching person): a busy room sends one update per
 * interval, not one per message, and a quarter second still reads as live in a room list.
 */
export const ACTIVITY_COALESCE_MS = 250;

/**
 * The people whose inbox (a chat page open somewhere) follows this room, with when they joined it (what a
 * first cursor needs). An inbox asks to watch when it opens; the room drops a watcher as soon as their
 * inbox answers that no page is open any more, so the list holds about the people online in chat and a
 * message costs nothing for everyone else — no fan-out to every member, no lease to renew.
 */
export class RoomWatchers {
	private readonly sql: SqlStorage;
	/**
	 * userId → joinedAt and a watch generation; a read-through cache of the table (the record, which
	 * survives eviction). The generation tells a "no page open" answer that a newer watch overtook.
	 */
	private cache: Map<string, { joinedAt: number; gen: number }> | null = null;
	private gen = 0;
	private dirtyAll = false;
	private readonly dirty = new Set<string>();
	private timer: ReturnType<typeof setTimeout> | undefined;

	constructor(
		storage: DurableObjectStorage,
		/** Sends one person's current summary to their inbox; false when their inbox has no page open. */
		private readonly deliver: (userId: string, joinedAt: number) => Promise<boolean>,
		private readonly waitUntil: (promise: Promise<unknown>) => void
	) {
		migrateSchema(storage, 'chat-inbox-watchers', [
			'CREATE TABLE inbox_watchers (user_id TEXT PRIMARY KEY, joined_at INTEGER NOT NULL) WITHOUT ROWID'
		]);
		this.sql = storage.sql;
	}

	watch(userId: string, joinedAt: number) {
		this.sql.exec(
			'INSERT INTO inbox_watchers (user_id, joined_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET joined_at = excluded.joined_at',
			userId,
			joinedAt
		);
		this.all().set(userId, { joinedAt, gen: ++this.gen });
	}

	/** Stops sending to the person's inbox (left the room, or no page open since watch generation `gen`). */
	unwatch(userId: string, gen?: number) {
		if (gen !== undefined && this.all().get(userId)?.gen !== gen) return;
		this.sql.exec('DELETE FROM inbox_watchers WHERE user_id = ?', userId);
		this.all().delete(userId);
	}

	has(userId: string): boolean {
		return this.all().has(userId);
	}

	/** Something changed for everyone (no user) or for one person: their summaries go out shortly. */
	changed(userId?: string) {
		if (this.all().size === 0) return;
		if (userId === undefined) this.dirtyAll = true;
		else if (this.all().has(userId)) this.dirty.add(userId);
		this.timer ??= setTimeout(() => this.flush(), ACTIVITY_COALESCE_MS);
	}

	private flush() {
		this.timer = undefined;
		const watching = this.all();
		const targets = this.dirtyAll ? [...watching.keys()] : [...this.dirty].filter((id) => watching.has(id));
		this.dirtyAll = false;
		this.dirty.clear();
		for (const userId of targets) {
			const { joinedAt, gen } = watching.get(userId)!;
			const sent = this.deliver(userId, joinedAt).then(
				(open) => open || this.unwatch(userId, gen),
				(error: unknown) => log('warn', 'chat inbox update failed', { error: String(error) })
			);
			this.waitUntil(sent);
		}
	}

	private all(): Map<string, { joinedAt: number; gen: number }> {
		this.cache ??= new Map(
			this.sql
				.exec<{ user_id: string; joined_at: number }>('SELECT user_id, joined_at FROM inbox_watchers')
				.toArray()
				.map((r) => [r.user_id, { joinedAt: r.joined_at, gen: ++this.gen }])
		);
		return this.cache;
	}
}
