// The self-hosted stand-in for one Cloudflare Queue: a SQLite-backed Durable Object that keeps every sent
// message on disk until its consumer acknowledges it, and delivers them in batches to the consumer's own
// `queue()` handler, as Cloudflare does: at least once, up to `maxBatchSize` messages per batch, a batch
// after at most `maxBatchTimeoutMs`, `attempts` counting deliveries, `message.retry()`/`retryAll()` (with
// their delaySeconds) and a handler that throws retrying the batch, and a message retried `maxRetries`
// times dropped with a log line (Cloudflare's behaviour without a dead-letter queue). Messages and their
// delivery state survive a restart: the alarm that delivers them is stored with them.
//
// Wiring (murmur.capnp): the app's producer binding is bindings/queue.js → QueueService → this object;
// delivery calls `env.QUEUE_CONSUMER.deliver(queue, messages)`, the app's `QueueDelivery` entrypoint
// (src/lib/server/selfhost/queue-delivery.ts), which hands a MessageBatch to the app's queue() handler and
// answers what it acknowledged and retried. Each queue's consumer settings are the `QUEUE_CONSUMERS` JSON
// binding, keyed by queue name: the counterpart of wrangler.toml's [[queues.consumers]].
//
// One batch is delivered at a time per queue (Cloudflare may run several consumers at once; order was never
// promised either way).
import { DurableObject } from 'cloudflare:workers';

const DEFAULTS = { maxBatchSize: 10, maxBatchTimeoutMs: 5_000, maxRetries: 3, retryDelaySeconds: 0 };

export class QueueStore extends DurableObject {
	constructor(ctx, env) {
		super(ctx, env);
		const sql = ctx.storage.sql;
		sql.exec(`CREATE TABLE IF NOT EXISTS messages(
			n INTEGER PRIMARY KEY AUTOINCREMENT,
			id TEXT UNIQUE NOT NULL,
			body TEXT NOT NULL,
			content_type TEXT NOT NULL,
			bytes INTEGER NOT NULL,
			sent_at INTEGER NOT NULL,
			visible_at INTEGER NOT NULL,
			attempts INTEGER NOT NULL DEFAULT 0
		)`);
		sql.exec('CREATE INDEX IF NOT EXISTS messages_visible ON messages (visible_at, n)');
		sql.exec('CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)');
	}

	/** Stores `messages` (`[{ body, contentType, delaySeconds, bytes }]`, from bindings/queue.js) in one transaction. */
	async send(queue, messages) {
		const sql = this.ctx.storage.sql;
		const now = Date.now();
		this.ctx.storage.transactionSync(() => {
			sql.exec('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)', 'queue', queue);
			for (const m of messages) {
				sql.exec(
					'INSERT INTO messages (id, body, content_type, bytes, sent_at, visible_at) VALUES (?, ?, ?, ?, ?, ?)',
					crypto.randomUUID().replaceAll('-', ''),
					m.body,
					m.contentType,
					m.bytes,
					now,
					now + Math.round((m.delaySeconds ?? 0) * 1000)
				);
			}
		});
		await this.#schedule();
	}

	/** The backlog, as a producer's send() reports it. */
	metrics() {
		const row = this.ctx.storage.sql
			.exec('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes, min(sent_at) AS oldest FROM messages')
			.one();
		return {
			backlogCount: row.n,
			backlogBytes: row.bytes,
			...(row.oldest === null ? {} : { oldestMessageTimestamp: new Date(row.oldest) })
		};
	}

	/** Delivers one batch of the messages that are due, applies the consumer's answer, and plans the next. */
	async alarm() {
		const queue = this.#queueName();
		const settings = this.#settings(queue);
		const sql = this.ctx.storage.sql;
		const due = sql
			.exec(
				'SELECT id, body, content_type, sent_at, attempts FROM messages WHERE visible_at <= ? ORDER BY visible_at, n LIMIT ?',
				Date.now(),
				settings.maxBatchSize
			)
			.toArray();
		if (due.length > 0) {
			const messages = due.map((row) => ({
				id: row.id,
				timestamp: row.sent_at,
				attempts: row.attempts + 1,
				body: decode(row.body, row.content_type)
			}));
			let result;
			try {
				result = await this.env.QUEUE_CONSUMER.deliver(queue, messages);
			} catch (error) {
				// The consumer could not be reached or threw outside its handler: the whole batch goes again.
				console.error(`queue ${queue}: delivering a batch failed: ${error?.stack ?? error}`);
				result = {
					outcome: 'exception',
					ackAll: false,
					retryBatch: { retry: false },
					explicitAcks: [],
					retryMessages: []
				};
			}
			this.#settle(queue, settings, messages, result);
		}
		await this.#schedule();
	}

	/** Cloudflare's precedence: an explicit ack or retry of a message, then retryAll, then ackAll, then the outcome. */
	#settle(queue, settings, messages, result) {
		const sql = this.ctx.storage.sql;
		const acked = new Set(result.explicitAcks);
		const retried = new Map(result.retryMessages.map((r) => [r.msgId, r.delaySeconds]));
		const now = Date.now();
		this.ctx.storage.transactionSync(() => {
			for (const message of messages) {
				let retry;
				let delaySeconds;
				if (acked.has(message.id)) retry = false;
				else if (retried.has(message.id)) [retry, delaySeconds] = [true, retried.get(message.id)];
				else if (result.retryBatch.retry) [retry, delaySeconds] = [true, result.retryBatch.delaySeconds];
				else if (result.ackAll) retry = false;
				else retry = result.outcome !== 'ok';
				if (!retry) {
					sql.exec('DELETE FROM messages WHERE id = ?', message.id);
				} else if (message.attempts > settings.maxRetries) {
					console.error(`queue ${queue}: message ${message.id} dropped after ${message.attempts} attempts`);
					sql.exec('DELETE FROM messages WHERE id = ?', message.id);
				} else {
					const waitMs = 1000 * (delaySeconds ?? settings.retryDelaySeconds);
					sql.exec(
						'UPDATE messages SET attempts = ?, visible_at = ? WHERE id = ?',
						message.attempts,
						now + waitMs,
						message.id
					);
				}
			}
		});
	}

	/**
	 * The next delivery: now when a full batch is due, else when the oldest due message has waited
	 * maxBatchTimeoutMs, else when the next delayed or retried message becomes visible.
	 */
	async #schedule() {
		const sql = this.ctx.storage.sql;
		const queue = this.#queueName();
		if (queue === null) return;
		const { maxBatchSize, maxBatchTimeoutMs } = this.#settings(queue);
		const now = Date.now();
		const due = sql
			.exec('SELECT count(*) AS n, min(visible_at) AS first FROM messages WHERE visible_at <= ?', now)
			.one();
		let at;
		if (due.n >= maxBatchSize) at = now;
		else if (due.n > 0) at = Math.max(now, due.first + maxBatchTimeoutMs);
		else {
			const next = sql.exec('SELECT min(visible_at) AS at FROM messages').one().at;
			if (next === null) return;
			at = next;
		}
		const current = await this.ctx.storage.getAlarm();
		if (current === null || current > at) await this.ctx.storage.setAlarm(at);
	}

	#queueName() {
		const [row] = this.ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'queue'").toArray();
		return row ? row.value : null;
	}

	#settings(queue) {
		const all = this.env.QUEUE_CONSUMERS ?? {};
		const own = Object.hasOwn(all, queue) ? all[queue] : {};
		return { ...DEFAULTS, ...own };
	}
}

function decode(body, contentType) {
	if (contentType === 'text') return body;
	if (contentType === 'bytes') return Uint8Array.from(atob(body), (c) => c.charCodeAt(0)).buffer;
	return JSON.parse(body);
}
