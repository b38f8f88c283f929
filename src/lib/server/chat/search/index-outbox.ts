import { log } from '$lib/server/log';
import { migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';
import type { ChatIndexMessage } from './index-message';

/**
 * Cloudflare's per-`sendBatch` limits (developers.cloudflare.com/queues/platform/limits): at most 100
 * messages and 256 KB in all. We stay below the byte limit with room for the per-message overhead.
 */
const SEND_BATCH_MAX_MESSAGES = 100;
const SEND_BATCH_MAX_BYTES = 200 * 1024;
/** A failed send is tried again by alarm, waiting twice as long each time up to a minute. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/**
 * The safety net: whenever rows are added, an alarm is armed this far ahead (once per stretch, not per
 * message), so rows left behind by an eviction or crash between the commit and the send still go out
 * even if the room never gets another event.
 */
const SAFETY_ALARM_MS = 30_000;
/**
 * A drain starts this long after the change that asked for it, so every change of that stretch goes in one
 * `sendBatch` (and one consumer run, one DELETE). Draining after each event instead (a microtask) cost a
 * queue send, a consumer write and a second commit per message: at 20 messages/s to 200 sockets that
 * made the room's delivery p50 5× a bare broadcast's (chat-path's fixed-rate probe, 2026-12-01); without
 * it 1.5×. Search trails the room by this much more, which nobody types fast enough to notice.
 */
export const INDEX_COALESCE_MS = 250;

const OUTBOX_SCHEMA: readonly SchemaStep[] = [
	'CREATE TABLE chat_index_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)'
];

/** The part of a Queue binding the outbox uses (Cloudflare's Queue, or the self-hosted stand-in). */
export interface IndexQueue {
	sendBatch(messages: Iterable<MessageSendRequest<ChatIndexMessage>>): Promise<unknown>;
}

/**
 * The ChatRoom's outbox to the search index queue, in the room's own SQLite.
 *
 * Why an outbox rather than sending from the handler: a row is written in the same synchronous step as
 * the message change it describes, so it commits with it or not at all — no change can reach the room
 * and miss the index (a send that fails, an eviction or a crash right after the commit leaves the row for
 * the next drain), and nothing is awaited before the broadcast or ack. Draining starts INDEX_COALESCE_MS
 * after the change that asked for it, one `sendBatch` in flight at a time: whatever piled up meanwhile goes
 * in that batch or the next, so a stretch of messages costs one queue call. The queue send is a subrequest, which the
 * output gate holds until the rows it carries have committed. Rows are deleted only after their send
 * succeeded; a failure is logged and retried by alarm with backoff, so delivery is at least once (the
 * consumer's upserts are idempotent by version).
 */
export class IndexOutbox {
	private readonly sql: SqlStorage;
	private draining: Promise<void> | null = null;
	/** Until when an alarm is known to be armed (in memory: after a restart the first enqueue re-arms). */
	private alarmArmedUntil = 0;
	private failures = 0;

	constructor(
		private readonly storage: DurableObjectStorage,
		private readonly queue: IndexQueue,
		/** Keeps the object alive while a drain runs (DurableObjectState.waitUntil). */
		private readonly waitUntil: (promise: Promise<unknown>) => void
	) {
		migrateSchema(storage, 'chat-index-outbox', OUTBOX_SCHEMA);
		this.sql = storage.sql;
		// Rows a previous incarnation could not send (evicted or failed): send them now.
		if (this.pending() > 0) this.drainSoon();
	}

	/** Records a change for the index; synchronous, so it commits together with the change itself. */
	enqueue(message: ChatIndexMessage) {
		this.sql.exec('INSERT INTO chat_index_outbox (body) VALUES (?)', JSON.stringify(message));
		const now = Date.now();
		if (this.alarmArmedUntil < now) {
			this.alarmArmedUntil = now + SAFETY_ALARM_MS;
			void this.storage.setAlarm(this.alarmArmedUntil);
		}
		this.drainSoon();
	}

	/** How many changes wait to be sent. */
	pending(): number {
		return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM chat_index_outbox').one().n;
	}

	/** The alarm's part: send what waits (after a failed send, or the safety net). */
	async alarm() {
		this.alarmArmedUntil = 0;
		this.drainSoon();
		await this.draining;
	}

	/** Starts a drain after the current event, unless one is running (it picks up the new rows itself). */
	private drainSoon() {
		if (this.draining) return;
		this.draining = this.drain().finally(() => (this.draining = null));
		this.waitUntil(this.draining);
	}

	private async drain() {
		// A stretch of changes goes out in one batch (INDEX_COALESCE_MS).
		await new Promise((resolve) => setTimeout(resolve, INDEX_COALESCE_MS));
		for (;;) {
			const rows = this.nextBatch();
			if (rows.length === 0) return;
			try {
				await this.queue.sendBatch(rows.map((row) => ({ body: JSON.parse(row.body) as ChatIndexMessage })));
			} catch (error) {
				this.failures++;
				const waitMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.failures - 1));
				log('warn', 'chat index: queue send failed, kept in the outbox', {
					messages: rows.length,
					pending: this.pending(),
					retryInMs: waitMs,
					error: String(error)
				});
				this.alarmArmedUntil = Date.now() + waitMs;
				await this.storage.setAlarm(this.alarmArmedUntil);
				return;
			}
			this.failures = 0;
			this.sql.exec('DELETE FROM chat_index_outbox WHERE id BETWEEN ? AND ?', rows[0]!.id, rows.at(-1)!.id);
		}
	}

	/** The oldest rows, up to the queue's per-batch count and (always at least one) byte limits. */
	private nextBatch(): { id: number; body: string }[] {
		const rows = this.sql
			.exec<{ id: number; body: string }>(
				'SELECT id, body FROM chat_index_outbox ORDER BY id LIMIT ?',
				SEND_BATCH_MAX_MESSAGES
			)
			.toArray();
		let bytes = 0;
		let kept = 0;
		for (; kept < rows.length; kept++) {
			bytes += rows[kept]!.body.length * 3; // UTF-16 units → at most 3 UTF-8 bytes each
			if (bytes > SEND_BATCH_MAX_BYTES && kept > 0) break;
		}
		return rows.slice(0, kept);
	}
}
