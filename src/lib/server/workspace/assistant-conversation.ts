import { MESSAGE_MAX_BYTES } from '$lib/assistant/limits';
import { migrateSchema } from '$lib/server/realtime/sql-schema';

/**
 * The workspace's assistant conversation, in the WorkspaceSync object's SQLite: the object is per
 * workspace already, knows its members' edits, and the conversation lives and dies with the workspace's
 * data (a D1 table would be one more global table to index by workspace and clean up on delete). One
 * conversation per workspace, shown to every member; each message records who asked. Messages are AI
 * SDK UI messages as JSON (text and tool parts), so the panel renders a stored turn like a streamed one.
 */

/** Messages kept per workspace; older ones are deleted, so the table stays small whatever is asked. */
export const CONVERSATION_KEEP = 200;

export interface StoredMessage {
	id: string;
	role: 'user' | 'assistant';
	/** Who asked (for an assistant message: whose question it answers). */
	userId: string;
	at: number;
	parts: unknown[];
}

const SCHEMA = [
	`CREATE TABLE assistant_messages (
		seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
		user_id TEXT NOT NULL, at INTEGER NOT NULL, parts TEXT NOT NULL)`
];

export class AssistantConversation {
	private readonly sql: SqlStorage;

	constructor(storage: DurableObjectStorage) {
		this.sql = storage.sql;
		migrateSchema(storage, 'assistant-conversation', SCHEMA);
	}

	/** The last `limit` messages, oldest first. */
	recent(limit = CONVERSATION_KEEP): StoredMessage[] {
		return this.sql
			.exec<{ id: string; role: string; user_id: string; at: number; parts: string }>(
				`SELECT id, role, user_id, at, parts FROM (SELECT * FROM assistant_messages ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
				limit
			)
			.toArray()
			.map((row) => ({
				id: row.id,
				role: row.role === 'user' ? 'user' : 'assistant',
				userId: row.user_id,
				at: row.at,
				parts: JSON.parse(row.parts) as unknown[]
			}));
	}

	/**
	 * Appends (or, for the same id, replaces) a message; refuses one over MESSAGE_MAX_BYTES. With
	 * `onlyNew` (a question, whose id the asker's page chose) an id already used is refused: false.
	 */
	save(message: StoredMessage, onlyNew = false): boolean {
		const parts = JSON.stringify(message.parts);
		if (new TextEncoder().encode(parts).byteLength > MESSAGE_MAX_BYTES) {
			throw new Error(`An assistant message may hold ${MESSAGE_MAX_BYTES} bytes.`);
		}
		const written = this.sql.exec(
			`INSERT INTO assistant_messages (id, role, user_id, at, parts) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (id) DO ${onlyNew ? 'NOTHING' : 'UPDATE SET parts = excluded.parts'} RETURNING seq`,
			message.id,
			message.role,
			message.userId,
			message.at,
			parts
		);
		if (written.toArray().length === 0) return false; // DO NOTHING returns no row
		this.sql.exec(
			`DELETE FROM assistant_messages WHERE seq <= (SELECT seq FROM assistant_messages ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
			CONVERSATION_KEEP
		);
		return true;
	}
}
