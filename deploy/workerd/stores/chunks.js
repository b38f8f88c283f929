// Values bigger than one SQLite row: a Durable Object's SQLite refuses rows over 2 MB, while a KV value may
// be 25 MiB and an R2 object more. Each value is split into CHUNK_BYTES pieces in a `chunks` table keyed by
// the owner's key, written and replaced inside the caller's transaction so a reader never sees half a value.

/** Half of the 2 MB row limit, leaving room for the key and SQLite's own row overhead. */
export const CHUNK_BYTES = 1024 * 1024;

export function createChunkTable(sql) {
	sql.exec(`CREATE TABLE IF NOT EXISTS chunks(
		key TEXT NOT NULL,
		n INTEGER NOT NULL,
		data BLOB NOT NULL,
		PRIMARY KEY (key, n)
	) WITHOUT ROWID`);
}

export function writeChunks(sql, key, bytes) {
	deleteChunks(sql, key);
	for (let n = 0, at = 0; at < bytes.byteLength; n++, at += CHUNK_BYTES) {
		sql.exec('INSERT INTO chunks (key, n, data) VALUES (?, ?, ?)', key, n, bytes.subarray(at, at + CHUNK_BYTES));
	}
}

/** `length` bytes of the value from `offset`, reading only the chunks that hold them. */
export function readChunks(sql, key, offset, length) {
	const out = new Uint8Array(length);
	if (length === 0) return out;
	const first = Math.floor(offset / CHUNK_BYTES);
	const last = Math.floor((offset + length - 1) / CHUNK_BYTES);
	const rows = sql.exec('SELECT n, data FROM chunks WHERE key = ? AND n BETWEEN ? AND ? ORDER BY n', key, first, last);
	for (const { n, data } of rows) {
		const chunk = new Uint8Array(data);
		const chunkStart = n * CHUNK_BYTES;
		const from = Math.max(offset, chunkStart) - chunkStart;
		const to = Math.min(offset + length, chunkStart + chunk.byteLength) - chunkStart;
		out.set(chunk.subarray(from, to), chunkStart + from - offset);
	}
	return out;
}

export function deleteChunks(sql, key) {
	sql.exec('DELETE FROM chunks WHERE key = ?', key);
}
