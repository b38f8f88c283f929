// The self-hosted stand-in for one R2 bucket: a SQLite-backed Durable Object holding each object's
// metadata in `objects` and its bytes in chunks (a DO's SQLite refuses rows over 2 MB). The app reaches it
// through `bindings/r2.js`, which gives it R2's API; conditions (onlyIf) are checked here, in the same
// transaction as the write, so a conditional put cannot race another put.
import { DurableObject } from 'cloudflare:workers';
import { createChunkTable, deleteChunks, readChunks, writeChunks } from './chunks.js';

/** R2's own cap on list() pages. */
const MAX_LIST = 1000;
/** Sorts after every key with a given prefix: skips a whole delimited "folder" in one step. */
const AFTER_ALL = '\u{10FFFF}';

export class R2Store extends DurableObject {
	constructor(ctx, env) {
		super(ctx, env);
		const sql = ctx.storage.sql;
		sql.exec(`CREATE TABLE IF NOT EXISTS objects(
			key TEXT PRIMARY KEY,
			version TEXT NOT NULL,
			size INTEGER NOT NULL,
			etag TEXT NOT NULL,
			uploaded INTEGER NOT NULL,
			http_metadata TEXT NOT NULL,
			custom_metadata TEXT NOT NULL
		)`);
		createChunkTable(sql);
	}

	head(key) {
		return this.#object(key);
	}

	/**
	 * `{ object, bytes, range }`: `bytes` is absent when a condition failed (R2 then answers the object
	 * without a body); null when there is no such object.
	 */
	get(key, { onlyIf, range } = {}) {
		const object = this.#object(key);
		if (!object) return null;
		if (onlyIf && !conditionsHold(object, onlyIf)) return { object };
		const slice = resolveRange(range, object.size);
		const bytes = readChunks(this.ctx.storage.sql, key, slice.offset, slice.length);
		return { object, bytes, range: range ? slice : undefined };
	}

	/** Stores the bytes and answers the new object, or null when a condition failed (nothing written). */
	put(key, bytes, { etag, httpMetadata = {}, customMetadata = {}, onlyIf }) {
		const sql = this.ctx.storage.sql;
		return this.ctx.storage.transactionSync(() => {
			const existing = this.#object(key);
			if (onlyIf && existing && !conditionsHold(existing, onlyIf)) return null;
			// R2 evaluates If-Match against a missing object as failed.
			if (onlyIf?.etagMatches && !existing) return null;
			const object = {
				key,
				version: crypto.randomUUID().replaceAll('-', ''),
				size: bytes.byteLength,
				etag,
				uploaded: Date.now(),
				httpMetadata,
				customMetadata
			};
			sql.exec(
				`INSERT OR REPLACE INTO objects (key, version, size, etag, uploaded, http_metadata, custom_metadata)
				 VALUES (?, ?, ?, ?, ?, ?, ?)`,
				key,
				object.version,
				object.size,
				etag,
				object.uploaded,
				JSON.stringify(httpMetadata),
				JSON.stringify(customMetadata)
			);
			writeChunks(sql, key, bytes);
			return object;
		});
	}

	delete(keys) {
		const sql = this.ctx.storage.sql;
		this.ctx.storage.transactionSync(() => {
			for (const key of keys) {
				sql.exec('DELETE FROM objects WHERE key = ?', key);
				deleteChunks(sql, key);
			}
		});
	}

	/** One page of R2's list(): objects and delimited prefixes in key order, at most `limit` entries. */
	list({ prefix = '', delimiter, cursor, startAfter, limit = MAX_LIST }) {
		const sql = this.ctx.storage.sql;
		let after = [cursor, startAfter].filter(Boolean).sort().at(-1) ?? '';
		const objects = [];
		const delimitedPrefixes = [];
		let truncated = false;
		let last = '';
		while (!truncated) {
			const [row] = sql
				.exec(
					'SELECT key FROM objects WHERE key > ? AND substr(key, 1, length(?)) = ? ORDER BY key LIMIT 1',
					after,
					prefix,
					prefix
				)
				.toArray();
			if (!row) break;
			if (objects.length + delimitedPrefixes.length === limit) {
				truncated = true;
				break;
			}
			const rest = row.key.slice(prefix.length);
			const at = delimiter ? rest.indexOf(delimiter) : -1;
			if (at >= 0) {
				const folder = prefix + rest.slice(0, at + delimiter.length);
				delimitedPrefixes.push(folder);
				after = last = folder + AFTER_ALL;
			} else {
				objects.push(this.#object(row.key));
				after = last = row.key;
			}
		}
		return { objects, delimitedPrefixes, truncated, cursor: truncated ? last : undefined };
	}

	#object(key) {
		const [row] = this.ctx.storage.sql.exec('SELECT * FROM objects WHERE key = ?', key).toArray();
		if (!row) return null;
		return {
			key: row.key,
			version: row.version,
			size: row.size,
			etag: row.etag,
			uploaded: row.uploaded,
			httpMetadata: JSON.parse(row.http_metadata),
			customMetadata: JSON.parse(row.custom_metadata)
		};
	}
}

/**
 * R2's conditional semantics (RFC 9110 §13.2.2 order): If-Match / If-None-Match decide when present and
 * the date conditions are then ignored. Dates have whole-second precision in HTTP, so `uploaded` is
 * compared truncated to seconds.
 */
function conditionsHold(object, { etagMatches, etagDoesNotMatch, uploadedBefore, uploadedAfter }) {
	const uploadedSeconds = Math.floor(object.uploaded / 1000) * 1000;
	if (etagMatches) {
		if (!etagListMatches(etagMatches, object.etag)) return false;
	} else if (uploadedBefore !== undefined && uploadedSeconds > uploadedBefore) {
		return false;
	}
	if (etagDoesNotMatch) {
		if (etagListMatches(etagDoesNotMatch, object.etag)) return false;
	} else if (uploadedAfter !== undefined && uploadedSeconds <= uploadedAfter) {
		return false;
	}
	return true;
}

function etagListMatches(list, etag) {
	return list.some((candidate) => candidate === '*' || candidate === etag);
}

/** R2Range `{ offset, length }` or `{ suffix }`, clamped to the object like R2 does. */
function resolveRange(range, size) {
	if (!range) return { offset: 0, length: size };
	if (range.suffix !== undefined) {
		const length = Math.min(range.suffix, size);
		return { offset: size - length, length };
	}
	const offset = Math.min(range.offset ?? 0, size);
	const length = Math.min(range.length ?? size - offset, size - offset);
	return { offset, length };
}
