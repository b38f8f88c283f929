import { log } from '$lib/server/log';
import { chatIndexMessageSchema, type ChatIndexMessage } from './index-message';

/**
 * One statement for both operations: a delete is an upsert of a tombstone (no text, deleted = 1), which
 * takes the message out of the full-text index (the update trigger reindexes its now empty text) while
 * keeping its version, so an older upsert delivered later cannot bring the text back. The WHERE makes the
 * write conditional: a change only lands over an older one, so a redelivered batch writes nothing twice.
 */
const UPSERT = `INSERT INTO chat_search_docs
	(room_id, message_id, seq, author_id, author_name, created_at, version, deleted, text)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (room_id, message_id) DO UPDATE SET
		seq = excluded.seq, author_name = excluded.author_name, version = excluded.version,
		deleted = excluded.deleted, text = excluded.text
	WHERE excluded.version > chat_search_docs.version`;

/** How long a batch whose D1 write failed waits before the queue delivers it again. */
const RETRY_DELAY_SECONDS = 2;

/**
 * The CHAT_INDEX queue consumer: writes one batch of message changes into the D1 FTS5 index
 * (drizzle/0004_chat_search.sql) as one D1 batch, which D1 runs as one transaction — all of it lands or
 * none. Delivery is at least once and in no particular order; the versioned upsert makes both harmless.
 * A body that is not a valid index message (another deploy's shape, a bug) is logged and acknowledged:
 * retrying it could never succeed. When the write fails, every valid message is retried; the queue
 * redelivers them after RETRY_DELAY_SECONDS (up to the consumer's max_retries).
 */
export async function indexChatBatch(batch: MessageBatch<unknown>, db: D1Database): Promise<void> {
	const valid: { message: Message<unknown>; body: ChatIndexMessage }[] = [];
	for (const message of batch.messages) {
		const parsed = chatIndexMessageSchema.safeParse(message.body);
		if (parsed.success) valid.push({ message, body: parsed.data });
		else {
			log('warn', 'chat index: dropped a message that is not a chat index message', {
				queue: batch.queue,
				id: message.id,
				issue: parsed.error.issues[0]?.message
			});
			message.ack();
		}
	}
	if (valid.length === 0) return;
	try {
		await db.batch(newestPerMessage(valid.map((v) => v.body)).map((body) => upsert(db, body)));
	} catch (error) {
		log('error', 'chat index: writing a batch failed, retrying it', {
			queue: batch.queue,
			messages: valid.length,
			attempts: Math.max(...valid.map((v) => v.message.attempts)),
			error: String(error)
		});
		for (const { message } of valid) message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
		return;
	}
	for (const { message } of valid) message.ack();
}

function upsert(db: D1Database, m: ChatIndexMessage): D1PreparedStatement {
	return db
		.prepare(UPSERT)
		.bind(
			m.roomId,
			m.messageId,
			m.seq,
			m.author.id,
			m.author.name,
			m.createdAt,
			m.version,
			m.op === 'delete' ? 1 : 0,
			m.op === 'delete' ? '' : m.text
		);
}

/** A batch may hold several changes of one message (a post and its edit): only the newest is written. */
function newestPerMessage(bodies: ChatIndexMessage[]): ChatIndexMessage[] {
	const newest = new Map<string, ChatIndexMessage>();
	for (const body of bodies) {
		const key = `${body.roomId}\n${body.messageId}`;
		const seen = newest.get(key);
		if (!seen || seen.version < body.version) newest.set(key, body);
	}
	return [...newest.values()];
}
