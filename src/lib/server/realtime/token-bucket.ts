import { migrateSchema } from './sql-schema';

/**
 * Per-key token buckets kept in a Durable Object's SQLite, so a limit survives hibernation and eviction
 * (an in-memory counter would reset whenever the object sleeps, which is exactly when a flood starts).
 * `burst` tokens at most; they refill continuously at `burst` per `windowMs`.
 */
export interface BucketLimit {
	burst: number;
	windowMs: number;
}

/**
 * Every this many takes, rows whose bucket has refilled completely are deleted: a full bucket is the same
 * as no row, so the table holds only keys active within the last window instead of every key ever seen.
 */
const PRUNE_EVERY_TAKES = 100;

/**
 * One table of buckets under one limit. Every key of a table must be taken with the same limit: pruning
 * judges a row "full again" by the limit it is given, so a row kept under a larger limit would be deleted
 * (reset to full) by a prune under a smaller one. Different limits get different tables.
 */
export class TokenBuckets {
	/** Read-through cache of the rows (the table stays the record), so a take costs one write, not a read too. */
	private readonly cache = new Map<string, { tokens: number; at: number }>();
	private takes = 0;

	private readonly sql: SqlStorage;

	constructor(
		storage: DurableObjectStorage,
		private readonly table: string
	) {
		this.sql = storage.sql;
		// Objects created before versioned schemas already hold the table, hence IF NOT EXISTS in step one.
		migrateSchema(storage, `buckets:${table}`, [
			`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID`
		]);
	}

	/**
	 * Takes one token. Returns 0 when allowed, else the ms until one token is back. With `deferWrite` the
	 * row is only updated in the cache, and `commit(key)` must write it before the handler returns: a
	 * caller can then send before its first storage write, which the output gate would otherwise hold
	 * until the write commits.
	 */
	take(key: string, limit: BucketLimit, now = Date.now(), deferWrite = false): number {
		const perMs = limit.burst / limit.windowMs;
		if (++this.takes % PRUNE_EVERY_TAKES === 0) this.prune(limit, now);
		const row =
			this.cache.get(key) ??
			this.sql
				.exec<{ tokens: number; at: number }>(`SELECT tokens, at FROM ${this.table} WHERE key = ?`, key)
				.toArray()[0];
		const available = row ? Math.min(limit.burst, row.tokens + Math.max(0, now - row.at) * perMs) : limit.burst;
		if (available < 1) return Math.ceil((1 - available) / perMs);
		this.cache.set(key, { tokens: available - 1, at: now });
		if (!deferWrite) this.commit(key);
		return 0;
	}

	/** Writes the cached row of `key` (after a `take` with deferWrite). */
	commit(key: string): void {
		const row = this.cache.get(key);
		if (!row) return;
		this.sql.exec(
			`INSERT INTO ${this.table} (key, tokens, at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, at = excluded.at`,
			key,
			row.tokens,
			row.at
		);
	}

	/** Deletes the rows (and cache entries) of buckets that are full again at `now`. Returns how many. */
	prune(limit: BucketLimit, now = Date.now()): number {
		const perMs = limit.burst / limit.windowMs;
		const cursor = this.sql.exec(
			`DELETE FROM ${this.table} WHERE tokens + max(0, ? - at) * ? >= ?`,
			now,
			perMs,
			limit.burst
		);
		for (const [key, row] of this.cache)
			if (row.tokens + Math.max(0, now - row.at) * perMs >= limit.burst) this.cache.delete(key);
		return cursor.rowsWritten;
	}
}

/**
 * The same buckets kept in memory only, for a limit on the hot path where even the one UPSERT per take
 * counts (a chat send: everything written before the broadcast holds the output gate). What that gives
 * up: the buckets start full again when the object is evicted or restarts. An object is evicted only
 * after it has handled no event for a while (about 10 s of idleness on Cloudflare before hibernation
 * evicts it), so with a window no longer than that a bucket would have refilled by then anyway; with a
 * longer window, eviction shortens the wait of someone who stopped sending to that idle time. A flood
 * keeps the object awake, so it never gets a fresh budget this way.
 */
export class MemoryTokenBuckets {
	private readonly buckets = new Map<string, { tokens: number; at: number }>();
	private takes = 0;

	/** 0 when `key` has a token now, else the ms until it has one; takes nothing. */
	wait(key: string, limit: BucketLimit, now = Date.now()): number {
		const available = this.available(key, limit, now);
		return available >= 1 ? 0 : Math.ceil((1 - available) / (limit.burst / limit.windowMs));
	}

	/** Takes one token; returns 0 when allowed, else the ms until one is back (nothing taken then). */
	take(key: string, limit: BucketLimit, now = Date.now()): number {
		const wait = this.wait(key, limit, now);
		if (wait > 0) return wait;
		// Full buckets are the same as none: dropped now and then, so memory holds only recent keys.
		if (++this.takes % PRUNE_EVERY_TAKES === 0) this.prune(limit, now);
		this.buckets.set(key, { tokens: this.available(key, limit, now) - 1, at: now });
		return 0;
	}

	/** How many keys are held (for the test that memory stays bounded). */
	get size(): number {
		return this.buckets.size;
	}

	prune(limit: BucketLimit, now = Date.now()): void {
		for (const [key] of this.buckets) if (this.available(key, limit, now) >= limit.burst) this.buckets.delete(key);
	}

	private available(key: string, limit: BucketLimit, now: number): number {
		const row = this.buckets.get(key);
		if (!row) return limit.burst;
		return Math.min(limit.burst, row.tokens + Math.max(0, now - row.at) * (limit.burst / limit.windowMs));
	}
}
