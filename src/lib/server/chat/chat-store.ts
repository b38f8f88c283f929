import type { ChatMessage, ChatUser } from '$lib/protocol/chat';
import {
	CHAT_CATCHUP_MAX,
	CHAT_FRAME_JSON_BUDGET_BYTES,
	CHAT_PAGE_SIZE,
	CHAT_REACTIONS_PER_MESSAGE_MAX
} from '$lib/protocol/chat-limits';
import { migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';
import { ChatAuthors } from './chat-authors';
import { entryJsonBytes } from './frame-budget';

/** What the store refuses; each code is one of chat's channel error codes (chatChannel.errors). */
export class ChatStoreError extends Error {
	constructor(
		readonly code: 'not-found' | 'forbidden' | 'gone' | 'id-taken' | 'too-many-reactions',
		message: string
	) {
		super(message);
		this.name = 'ChatStoreError';
	}
}

interface MessageRow extends Record<string, SqlStorageValue> {
	seq: number;
	rev: number;
	id: string;
	user_id: string;
	user_name: string;
	avatar_key: string | null;
	text: string;
	created_at: number;
	edited_at: number | null;
	deleted_at: number | null;
}

/** A row with the byte length of its quoted text and its id, computed by SQLite, for the frame budget. */
interface SizedRow extends MessageRow {
	text_id_bytes: number;
}

/** `sizes[i]`: an upper bound of `messages[i]`'s wire JSON in bytes (frame-budget.ts). */
export type CatchUp = { kind: 'catchup'; messages: ChatMessage[]; sizes: number[] } | { kind: 'reset' };

/** Set (in the object's KV) while an incarnation may show messages before their rows are durable. */
const SHOWN_EARLY_KEY = 'chat-store:shown-early';
/**
 * Revs left unused after an incarnation that showed messages early. Few are ever shown and not yet
 * durable at once: an early frame leaves at once only when no commit is pending (a socket frame waits for
 * every commit pending when it is sent), so each is the one message since the last commit began.
 */
export const UNCONFIRMED_REVS = 100;

/** developers.cloudflare.com/durable-objects/platform/limits: 100 bound parameters per SQL statement. */
const SQL_PARAMS_PER_QUERY = 90;

/**
 * The store's tables, as migrateSchema steps (append-only). The first step is idempotent because rooms
 * created before versioned schemas already hold these tables: they keep their data and record version 1.
 */
const CHAT_STORE_SCHEMA: readonly SchemaStep[] = [
	(sql) => {
		sql.exec(`CREATE TABLE IF NOT EXISTS messages (
			seq INTEGER PRIMARY KEY,
			rev INTEGER NOT NULL,
			id TEXT NOT NULL UNIQUE,
			user_id TEXT NOT NULL,
			user_name TEXT NOT NULL,
			avatar_key TEXT,
			text TEXT NOT NULL,
			created_at INTEGER NOT NULL,
			edited_at INTEGER,
			deleted_at INTEGER
		)`);
		sql.exec('CREATE INDEX IF NOT EXISTS messages_rev ON messages (rev)');
		sql.exec(`CREATE TABLE IF NOT EXISTS reactions (
			message_seq INTEGER NOT NULL,
			emoji TEXT NOT NULL,
			user_id TEXT NOT NULL,
			at INTEGER NOT NULL,
			PRIMARY KEY (message_seq, emoji, user_id)
		) WITHOUT ROWID`);
	}
];

const COLUMNS = 'seq, rev, id, user_id, user_name, avatar_key, text, created_at, edited_at, deleted_at';
/** Sized in SQLite, so a page is cut to the frame budget without serializing each message in JS. */
const SIZED_COLUMNS = `${COLUMNS}, length(CAST(json_quote(text) AS BLOB)) + length(CAST(id AS BLOB)) AS text_id_bytes`;

/**
 * A room's messages and reactions in the ChatRoom's own SQLite. The object is the single writer, so plain
 * synchronous statements are enough: each public method runs without awaiting and is therefore atomic
 * with respect to every other event the object handles.
 *
 * Two counters: `seq` numbers stored messages 1, 2, 3, … (a message's place in the room, kept by a
 * tombstone after delete; only a message shown early and lost in a crash leaves its seq to the next one)
 * and `rev` numbers every change (post, edit, delete, reaction), increasing, with gaps after such a
 * crash (mayShowEarly). A message row carries the rev of its last change, so "everything since rev N" is
 * one indexed range read.
 */
export class ChatStore {
	private readonly sql: SqlStorage;
	/** The room's author numbers (the socket names authors by them). */
	readonly authors: ChatAuthors;
	private readonly kv: SyncKvStorage;
	private lastSeq: number;
	private lastRev: number;
	/** This incarnation has told `mayShowEarly` yes (and recorded that it may). */
	private showingEarly = false;
	/**
	 * Revs the previous incarnation may have shown without storing them (it was allowed to show messages
	 * early, and whether it ended cleanly cannot be told): a client resuming from one gets a fresh page.
	 */
	private unconfirmed: { after: number; upTo: number } | null = null;

	constructor(storage: DurableObjectStorage) {
		migrateSchema(storage, 'chat-store', CHAT_STORE_SCHEMA);
		this.sql = storage.sql;
		this.kv = storage.kv;
		this.authors = new ChatAuthors(storage);
		// Every change stamps its message row with the new rev, so the newest rev is always on some row.
		const top = this.sql
			.exec<{ s: number; r: number }>('SELECT coalesce(max(seq), 0) AS s, coalesce(max(rev), 0) AS r FROM messages')
			.one();
		this.lastSeq = top.s;
		this.lastRev = top.r;
		if (this.kv.get(SHOWN_EARLY_KEY) !== undefined) {
			// New revs start past any the last incarnation showed early; seqs need no gap (a reused seq
			// comes with a higher rev, so a client replaces what it held there).
			this.unconfirmed = { after: top.r, upTo: top.r + UNCONFIRMED_REVS };
			this.lastRev = top.r + UNCONFIRMED_REVS;
			this.kv.delete(SHOWN_EARLY_KEY);
		}
	}

	get rev(): number {
		return this.lastRev;
	}

	/** The newest message's seq (0 in an empty room): how far a read cursor may go. */
	get seq(): number {
		return this.lastSeq;
	}

	/** A message's current text, or null when it does not exist or was deleted. */
	liveText(id: string): string | null {
		const row = this.row(id);
		return row && row.deleted_at === null ? row.text : null;
	}

	/**
	 * The message a new post of `id` becomes: the next seq and rev, not written yet. The caller writes it
	 * with `insert` in the same synchronous step (so nothing else can take that seq in between), after
	 * `resent` found the id free.
	 */
	draft(user: ChatUser, id: string, text: string, now = Date.now()): ChatMessage {
		return {
			seq: this.lastSeq + 1,
			rev: this.lastRev + 1,
			id,
			user: { id: user.id, name: user.name, avatarKey: user.avatarKey },
			text,
			createdAt: now,
			editedAt: null,
			deleted: false,
			reactions: []
		};
	}

	/** Writes a `draft`; the id's unique index refuses a taken id (a caller that skipped `resent`). */
	insert(message: ChatMessage): void {
		const { seq, rev, id, user, text, createdAt } = message;
		if (seq !== this.lastSeq + 1 || rev !== this.lastRev + 1) throw new Error('ChatStore.insert: a stale draft');
		this.sql.exec(
			`INSERT INTO messages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
			seq,
			rev,
			id,
			user.id,
			user.name,
			user.avatarKey,
			text,
			createdAt
		);
		this.lastSeq = seq;
		this.lastRev = rev;
	}

	/**
	 * After a message was shown early and its INSERT failed: the revs past the stored ones are treated as
	 * after a crash (left unused; a client resuming from one gets a fresh page). Replaces the range a
	 * crash left, whose clients have long resumed (a crash closes every socket). The next message is
	 * stored first again, so a storage that keeps failing answers with errors, not with closed sockets.
	 */
	unconfirmedFromHere(): void {
		this.unconfirmed = { after: this.lastRev, upTo: this.lastRev + UNCONFIRMED_REVS };
		this.lastRev += UNCONFIRMED_REVS;
		this.showingEarly = false;
	}

	/**
	 * Whether a new message may be shown to listeners before its row is durable (ChatRoom's early fan-out).
	 * The first time in an incarnation it answers no and records, in the same commit as the message that
	 * asked, that this incarnation may show revs it has not stored yet; the next incarnation then leaves
	 * UNCONFIRMED_REVS revs unused and sends a client that resumes from one of them a fresh page
	 * (`changesSince`), so a message a crash took back is never mistaken for a stored one.
	 */
	mayShowEarly(): boolean {
		if (this.showingEarly) return true;
		this.kv.put(SHOWN_EARLY_KEY, true);
		this.showingEarly = true;
		return false;
	}

	/**
	 * The stored message of this id when `user` posted it (a resend), null when the id is free; throws
	 * when someone else's message has it.
	 */
	resent(user: ChatUser, id: string): { message: ChatMessage; duplicate: true } | null {
		const existing = this.row(id);
		if (!existing) return null;
		if (existing.user_id !== user.id) throw new ChatStoreError('id-taken', 'That message id is already used.');
		return { message: this.snapshot(existing), duplicate: true };
	}

	edit(userId: string, id: string, text: string, now = Date.now()): ChatMessage {
		const row = this.ownLiveRow(userId, id, 'edit');
		this.sql.exec(
			'UPDATE messages SET text = ?, edited_at = ?, rev = ? WHERE seq = ?',
			text,
			now,
			this.nextRev(),
			row.seq
		);
		return this.snapshot(this.row(id)!);
	}

	/** Deleting leaves a tombstone: the seq stays (no gap for clients), text and reactions go. */
	delete(userId: string, id: string, now = Date.now()): ChatMessage {
		const row = this.ownLiveRow(userId, id, 'delete');
		this.sql.exec("UPDATE messages SET text = '', deleted_at = ?, rev = ? WHERE seq = ?", now, this.nextRev(), row.seq);
		this.sql.exec('DELETE FROM reactions WHERE message_seq = ?', row.seq);
		return this.snapshot(this.row(id)!);
	}

	/**
	 * Toggles one user's reaction with one emoji on a message, or sets it when `want` is given (so a REST
	 * PUT can be repeated safely). `changed` is false when `want` already held; nothing is written then.
	 */
	react(
		userId: string,
		id: string,
		emoji: string,
		want?: boolean,
		now = Date.now()
	): { message: ChatMessage; changed: boolean } {
		const row = this.row(id);
		if (!row) throw new ChatStoreError('not-found', 'No such message.');
		if (row.deleted_at !== null) throw new ChatStoreError('gone', 'That message was deleted.');
		const has =
			this.sql
				.exec('SELECT 1 FROM reactions WHERE message_seq = ? AND emoji = ? AND user_id = ?', row.seq, emoji, userId)
				.toArray().length > 0;
		if (want === has) return { message: this.snapshot(row), changed: false };
		if (has) {
			this.sql.exec(
				'DELETE FROM reactions WHERE message_seq = ? AND emoji = ? AND user_id = ?',
				row.seq,
				emoji,
				userId
			);
		} else {
			const emojis = this.sql
				.exec<{ emoji: string }>('SELECT DISTINCT emoji FROM reactions WHERE message_seq = ?', row.seq)
				.toArray()
				.map((r) => r.emoji);
			if (!emojis.includes(emoji) && emojis.length >= CHAT_REACTIONS_PER_MESSAGE_MAX)
				throw new ChatStoreError(
					'too-many-reactions',
					`A message can have at most ${CHAT_REACTIONS_PER_MESSAGE_MAX} different reactions.`
				);
			this.sql.exec(
				'INSERT INTO reactions (message_seq, emoji, user_id, at) VALUES (?, ?, ?, ?)',
				row.seq,
				emoji,
				userId,
				now
			);
		}
		this.sql.exec('UPDATE messages SET rev = ? WHERE seq = ?', this.nextRev(), row.seq);
		return { message: this.snapshot(this.row(id)!), changed: true };
	}

	/**
	 * Up to `limit` messages with seq < before (all when before is omitted), in ascending seq order, and no
	 * more than `maxJsonBytes` of them as wire JSON (always at least one): the page must fit one socket
	 * frame. Their sizes are bounds computed from SQLite's byte lengths, not by serializing each message.
	 * When it is cut, `hasMore` is true and the next page starts below the oldest one returned.
	 */
	page(
		before: number | undefined,
		limit = CHAT_PAGE_SIZE,
		maxJsonBytes = CHAT_FRAME_JSON_BUDGET_BYTES
	): { messages: ChatMessage[]; hasMore: boolean } {
		const rows = this.sql
			.exec<SizedRow>(
				`SELECT ${SIZED_COLUMNS} FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
				before ?? Number.MAX_SAFE_INTEGER,
				limit
			)
			.toArray();
		const newestFirst = this.snapshots(rows);
		let kept = 0;
		for (let bytes = 0; kept < newestFirst.length; kept++) {
			bytes += entryJsonBytes(rows[kept]!.text_id_bytes, newestFirst[kept]!.reactions);
			if (bytes > maxJsonBytes && kept > 0) break;
		}
		const messages = newestFirst.slice(0, kept).reverse();
		return { messages, hasMore: messages.length > 0 && messages[0]!.seq > 1 };
	}

	/**
	 * Every message changed after `since`, in change order, for a reconnecting client. Too far behind (or a
	 * rev from the future, e.g. a client that saw another room state) gets a reset instead.
	 */
	changesSince(since: number): CatchUp {
		// Ahead of the room, or resuming from a rev a crash may have taken back: start again from a page.
		if (since > this.lastRev || (this.unconfirmed && since > this.unconfirmed.after && since <= this.unconfirmed.upTo))
			return { kind: 'reset' };
		const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM messages WHERE rev > ?', since).one();
		if (n > CHAT_CATCHUP_MAX) return { kind: 'reset' };
		const rows = this.sql
			.exec<SizedRow>(`SELECT ${SIZED_COLUMNS} FROM messages WHERE rev > ? ORDER BY rev`, since)
			.toArray();
		const messages = this.snapshots(rows);
		const sizes = messages.map((m, i) => entryJsonBytes(rows[i]!.text_id_bytes, m.reactions));
		return { kind: 'catchup', messages, sizes };
	}

	// ---- internals ----------------------------------------------------------------------------------

	/** The caller writes it onto the changed row in the same synchronous step (that row is its record). */
	private nextRev(): number {
		return ++this.lastRev;
	}

	private row(id: string): MessageRow | null {
		return this.sql.exec<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = ?`, id).toArray()[0] ?? null;
	}

	private ownLiveRow(userId: string, id: string, verb: string): MessageRow {
		const row = this.row(id);
		if (!row) throw new ChatStoreError('not-found', 'No such message.');
		if (row.user_id !== userId) throw new ChatStoreError('forbidden', `You can only ${verb} your own messages.`);
		if (row.deleted_at !== null) throw new ChatStoreError('gone', 'That message was deleted.');
		return row;
	}

	private snapshot(row: MessageRow): ChatMessage {
		return this.snapshots([row])[0]!;
	}

	/** Rows to wire messages, reading the reactions of all of them in one query. */
	private snapshots(rows: MessageRow[]): ChatMessage[] {
		if (rows.length === 0) return [];
		const bySeq = new Map<number, Map<string, string[]>>();
		const seqs = rows.map((r) => r.seq);
		// Durable Object SQL allows at most 100 bound parameters per statement, so ask in slices.
		for (let i = 0; i < seqs.length; i += SQL_PARAMS_PER_QUERY) {
			const slice = seqs.slice(i, i + SQL_PARAMS_PER_QUERY);
			const reactions = this.sql.exec<{ message_seq: number; emoji: string; user_id: string }>(
				`SELECT message_seq, emoji, user_id FROM reactions WHERE message_seq IN (${slice.map(() => '?').join(',')}) ORDER BY at, emoji`,
				...slice
			);
			for (const r of reactions) {
				let emojis = bySeq.get(r.message_seq);
				if (!emojis) bySeq.set(r.message_seq, (emojis = new Map()));
				let users = emojis.get(r.emoji);
				if (!users) emojis.set(r.emoji, (users = []));
				users.push(r.user_id);
			}
		}
		return rows.map((row) => ({
			seq: row.seq,
			rev: row.rev,
			id: row.id,
			user: { id: row.user_id, name: row.user_name, avatarKey: row.avatar_key },
			text: row.text,
			createdAt: row.created_at,
			editedAt: row.edited_at,
			deleted: row.deleted_at !== null,
			reactions: [...(bySeq.get(row.seq) ?? [])].map(([emoji, users]) => ({ emoji, users }))
		}));
	}
}
