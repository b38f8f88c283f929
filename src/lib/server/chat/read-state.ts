import type { ChatCursor } from '$lib/protocol/chat';
import { CHAT_UNREAD_COUNT_MAX } from '$lib/protocol/chat-unread-limits';
import { migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';

/**
 * Who has read how far in one room, and whom each message mentions: in the ChatRoom's own SQLite, next to
 * the messages they count. That is where they belong:
 * - counts are exact under edits and deletes, because they are one query over the rows they count (a
 *   deleted message, or a mention edited away, stops counting at once — a counter kept elsewhere would
 *   have to be told, and would drift when a telling is lost);
 * - a cursor is written over the socket the person already has open, by the single writer that numbers
 *   the messages, so clamping it to the last message and keeping it monotonic is one statement;
 * - a join reads it with no D1 query (issue 19: no D1 work per join), and the room list asks each room
 *   for a summary (a few indexed reads) instead of D1 holding a row per person per room that every
 *   message would have to update.
 */
const READ_STATE_SCHEMA: readonly SchemaStep[] = [
	`CREATE TABLE read_cursors (user_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID`,
	// One row per message and person it ever mentioned; `active` is whether its current text still does.
	// The row outlives an edit that drops the mention, so mentioning someone again notifies nobody twice.
	`CREATE TABLE mentions (
		user_id TEXT NOT NULL,
		message_seq INTEGER NOT NULL,
		active INTEGER NOT NULL,
		PRIMARY KEY (user_id, message_seq)
	) WITHOUT ROWID`
];

/** Bounded counts: a subquery with LIMIT stops reading rows once the cap is reached. */
const CAPPED = CHAT_UNREAD_COUNT_MAX;

export class ReadState {
	private readonly sql: SqlStorage;

	constructor(storage: DurableObjectStorage) {
		migrateSchema(storage, 'chat-read-state', READ_STATE_SCHEMA);
		this.sql = storage.sql;
	}

	/**
	 * The person's cursor. Someone without one yet (never opened the room since cursors exist) has read
	 * everything posted before they joined (`joinedAt`, ms): a newcomer's room is not full of old unread
	 * messages, and what was said after they joined — mentions too — still counts. The cursor is written
	 * then, so this search runs once per person.
	 */
	cursor(userId: string, joinedAt: number, now = Date.now()): number {
		const row = this.sql.exec<{ seq: number }>('SELECT seq FROM read_cursors WHERE user_id = ?', userId).toArray()[0];
		if (row) return row.seq;
		const { seq } = this.sql
			.exec<{ seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM messages WHERE created_at < ?', joinedAt)
			.one();
		this.sql.exec('INSERT INTO read_cursors (user_id, seq, at) VALUES (?, ?, ?)', userId, seq, now);
		return seq;
	}

	/**
	 * Moves the cursor forward to `seq`, clamped to `lastSeq` (a client cannot mark unwritten messages
	 * read); an older seq leaves it where it is. Returns the cursor after, and whether it moved.
	 */
	advance(userId: string, seq: number, lastSeq: number, now = Date.now()): { seq: number; moved: boolean } {
		const target = Math.min(seq, lastSeq);
		const moved = this.sql
			.exec<{ seq: number }>(
				`INSERT INTO read_cursors (user_id, seq, at) VALUES (?, ?, ?)
				 ON CONFLICT (user_id) DO UPDATE SET seq = excluded.seq, at = excluded.at WHERE excluded.seq > read_cursors.seq
				 RETURNING seq`,
				userId,
				target,
				now
			)
			.toArray()[0];
		if (moved) return { seq: moved.seq, moved: true };
		return {
			seq: this.sql.exec<{ seq: number }>('SELECT seq FROM read_cursors WHERE user_id = ?', userId).one().seq,
			moved: false
		};
	}

	/** The cursor with what is unread after it: live messages by others, and those that mention the person. */
	counts(userId: string, cursor: number): ChatCursor {
		const { unread } = this.sql
			.exec<{ unread: number }>(
				`SELECT count(*) AS unread FROM (SELECT 1 FROM messages
				 WHERE seq > ? AND deleted_at IS NULL AND user_id != ? LIMIT ${CAPPED})`,
				cursor,
				userId
			)
			.one();
		const { mentions } = this.sql
			.exec<{ mentions: number }>(
				`SELECT count(*) AS mentions FROM (SELECT 1 FROM mentions JOIN messages ON messages.seq = mentions.message_seq
				 WHERE mentions.user_id = ? AND mentions.message_seq > ? AND mentions.active = 1 AND messages.deleted_at IS NULL
				 LIMIT ${CAPPED})`,
				userId,
				cursor
			)
			.one();
		return { seq: cursor, unread, mentions };
	}

	/**
	 * Records whom message `seq` mentions now (`userIds`: room members, not its author). Returns those it
	 * mentions for the first time — the only ones to notify: an edit that keeps, drops or restores a
	 * mention notifies nobody again.
	 */
	setMentions(seq: number, userIds: ReadonlySet<string>): string[] {
		const before = new Map<string, boolean>();
		for (const r of this.sql.exec<{ user_id: string; active: number }>(
			'SELECT user_id, active FROM mentions WHERE message_seq = ?',
			seq
		))
			before.set(r.user_id, r.active === 1);
		const fresh: string[] = [];
		for (const userId of userIds) {
			const was = before.get(userId);
			if (was === undefined) {
				this.sql.exec('INSERT INTO mentions (user_id, message_seq, active) VALUES (?, ?, 1)', userId, seq);
				fresh.push(userId);
			} else if (!was)
				this.sql.exec('UPDATE mentions SET active = 1 WHERE user_id = ? AND message_seq = ?', userId, seq);
		}
		for (const [userId, active] of before)
			if (active && !userIds.has(userId))
				this.sql.exec('UPDATE mentions SET active = 0 WHERE user_id = ? AND message_seq = ?', userId, seq);
		return fresh;
	}

	/** Whether message `seq` mentions anyone now (an edit that drops every @name must still be resolved). */
	hasMentions(seq: number): boolean {
		return (
			this.sql.exec('SELECT 1 FROM mentions WHERE message_seq = ? AND active = 1 LIMIT 1', seq).toArray().length > 0
		);
	}
}
