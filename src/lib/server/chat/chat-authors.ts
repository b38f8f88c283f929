import type { ChatMessage, ChatUser } from '$lib/protocol/chat';
import { authorWire, entryWire, type ChatAuthorWire, type ChatEntryWire } from '$lib/protocol/chat-wire';
import { migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';

/**
 * Runs after ChatStore's own schema (it reads `messages`): rooms that already hold messages get a number
 * for each author of them, oldest first.
 */
const AUTHORS_SCHEMA: readonly SchemaStep[] = [
	(sql) => {
		sql.exec(`CREATE TABLE chat_authors (
			n INTEGER PRIMARY KEY,
			user_id TEXT NOT NULL,
			name TEXT NOT NULL,
			avatar_key TEXT
		)`);
		sql.exec(`INSERT INTO chat_authors (user_id, name, avatar_key)
			SELECT user_id, user_name, avatar_key FROM messages
			GROUP BY user_id, user_name, avatar_key ORDER BY min(seq)`);
	}
];

/**
 * The room's author numbers (chat-wire.ts): each (user id, name, avatar) the room has seen gets the next
 * number, kept in the room's SQLite so that a number means the same after every wake-up — clients hold
 * them across hibernation. All of them are held in memory too (a room has as many as it has had members
 * and renames), so looking one up on a send or a history page reads no row; only a first sight writes.
 */
export class ChatAuthors {
	/** By user id: each (name, avatar) that user had here, with its number (one entry, unless renamed). */
	private readonly byUser = new Map<string, { name: string; avatarKey: string | null; n: number }[]>();
	private readonly byNumber = new Map<number, ChatUser>();
	private readonly sql: SqlStorage;

	constructor(storage: DurableObjectStorage) {
		migrateSchema(storage, 'chat-authors', AUTHORS_SCHEMA);
		this.sql = storage.sql;
		const rows = this.sql.exec<{ n: number; user_id: string; name: string; avatar_key: string | null }>(
			'SELECT n, user_id, name, avatar_key FROM chat_authors'
		);
		for (const row of rows) this.remember(row.n, { id: row.user_id, name: row.name, avatarKey: row.avatar_key });
	}

	/** The number of this author, given one now if the room has not seen it before (one INSERT). */
	numberOf(user: ChatUser): number {
		const known = this.byUser.get(user.id)?.find((a) => a.name === user.name && a.avatarKey === user.avatarKey);
		if (known) return known.n;
		const { n } = this.sql
			.exec<{ n: number }>(
				'INSERT INTO chat_authors (user_id, name, avatar_key) VALUES (?, ?, ?) RETURNING n',
				user.id,
				user.name,
				user.avatarKey
			)
			.one();
		this.remember(n, { id: user.id, name: user.name, avatarKey: user.avatarKey });
		return n;
	}

	/** The description of author `n` for the wire (a number this table gave). */
	wire(n: number): ChatAuthorWire {
		const user = this.byNumber.get(n);
		if (!user) throw new Error(`chat: author ${n} is not in this room's table`);
		return authorWire(n, user);
	}

	/** A message's wire form, its author by number. */
	entry(message: ChatMessage): ChatEntryWire {
		return entryWire(message, this.numberOf(message.user));
	}

	/** Messages for a history frame, with the authors they name described once. */
	entries(messages: readonly ChatMessage[]): { messages: ChatEntryWire[]; authors: ChatAuthorWire[] } {
		const authors = new Set<number>();
		const entries = messages.map((m) => {
			const wire = this.entry(m);
			authors.add(wire[3]);
			return wire;
		});
		return { messages: entries, authors: [...authors].map((n) => this.wire(n)) };
	}

	private remember(n: number, user: ChatUser) {
		let forms = this.byUser.get(user.id);
		if (!forms) this.byUser.set(user.id, (forms = []));
		forms.push({ name: user.name, avatarKey: user.avatarKey, n });
		this.byNumber.set(n, user);
	}
}
