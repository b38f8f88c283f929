// The self-hosted stand-in for one KV namespace: a SQLite-backed Durable Object. The app's binding is
// workerd's own KV client (a `kvNamespace` binding, the class Cloudflare runs), so get/put/delete/list/
// getWithMetadata, value types, metadata and expiration behave as on Cloudflare; it speaks KV's HTTP
// protocol to `KvService` (kv-service.js), which calls this object.
//
// Unlike Cloudflare's KV this is strongly consistent (one object, one process): a write is visible to the
// next read at once, where Cloudflare may serve a stale value for up to 60 s.
import { DurableObject } from 'cloudflare:workers';
import { createChunkTable, deleteChunks, readChunks, writeChunks } from './chunks.js';

export class KvStore extends DurableObject {
	constructor(ctx, env) {
		super(ctx, env);
		const sql = ctx.storage.sql;
		sql.exec(`CREATE TABLE IF NOT EXISTS entries(
			key TEXT PRIMARY KEY,
			size INTEGER NOT NULL,
			expiration INTEGER,
			metadata TEXT
		)`);
		sql.exec('CREATE INDEX IF NOT EXISTS entries_expiration ON entries (expiration) WHERE expiration IS NOT NULL');
		createChunkTable(sql);
	}

	/** Each key's `{ value, expiration, metadata }`, or null when missing or expired. Times are in ms. */
	read(keys) {
		const now = Date.now();
		const sql = this.ctx.storage.sql;
		return keys.map((key) => {
			const [row] = sql.exec('SELECT size, expiration, metadata FROM entries WHERE key = ?', key).toArray();
			if (!row || (row.expiration !== null && row.expiration <= now)) return null;
			return { value: readChunks(sql, key, 0, row.size), expiration: row.expiration, metadata: row.metadata };
		});
	}

	write(key, value, expiration, metadata) {
		const sql = this.ctx.storage.sql;
		this.ctx.storage.transactionSync(() => {
			this.#purgeExpired();
			sql.exec(
				'INSERT OR REPLACE INTO entries (key, size, expiration, metadata) VALUES (?, ?, ?, ?)',
				key,
				value.byteLength,
				expiration,
				metadata
			);
			writeChunks(sql, key, value);
		});
	}

	remove(key) {
		const sql = this.ctx.storage.sql;
		this.ctx.storage.transactionSync(() => {
			sql.exec('DELETE FROM entries WHERE key = ?', key);
			deleteChunks(sql, key);
		});
	}

	/** Up to `limit` live keys starting with `prefix`, after `after`, in byte order as KV lists them. */
	list(prefix, after, limit) {
		return this.ctx.storage.sql
			.exec(
				`SELECT key, expiration, metadata FROM entries
				 WHERE key > ? AND substr(key, 1, length(?)) = ? AND (expiration IS NULL OR expiration > ?)
				 ORDER BY key LIMIT ?`,
				after,
				prefix,
				prefix,
				Date.now(),
				limit
			)
			.toArray();
	}

	/** Expired entries are invisible at once; their rows go on the next write, so storage stays bounded. */
	#purgeExpired() {
		const sql = this.ctx.storage.sql;
		const expired = sql.exec('SELECT key FROM entries WHERE expiration <= ?', Date.now()).toArray();
		for (const { key } of expired) {
			sql.exec('DELETE FROM entries WHERE key = ?', key);
			deleteChunks(sql, key);
		}
	}
}
