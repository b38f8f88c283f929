// The self-hosted stand-in for one D1 database: a SQLite-backed Durable Object whose SQLite file lives under
// the data directory like every other Durable Object's. The app never calls it directly: its `DB` binding is
// workerd's own D1 client (`cloudflare-internal:d1-api`, the class Cloudflare runs), which speaks D1's HTTP
// protocol to `D1Service` (d1-service.js), which calls `run` here.
//
// Migrations: the drizzle/*.sql files are bundled into `migrations.js` at build time and applied in the
// constructor inside blockConcurrencyWhile, so no query ever sees an unmigrated schema. They are tracked in
// `d1_migrations` exactly as `wrangler d1 migrations apply` tracks them, so a database copied between D1 and
// a self-hosted server keeps its history.
import { DurableObject } from 'cloudflare:workers';
import migrations from './migrations.js';

/** The table wrangler creates, with the same columns, so the history reads the same in both places. */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations(
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT UNIQUE,
	applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;

export class D1Store extends DurableObject {
	constructor(ctx, env) {
		super(ctx, env);
		ctx.blockConcurrencyWhile(async () => this.#migrate());
	}

	/**
	 * Runs `queries` (`[{ sql, params }]`) in one transaction, as D1 runs a batch: a failure rolls back all
	 * of them and is thrown. Answers `{ columns, rows, meta }` per query, rows as arrays.
	 */
	run(queries) {
		const sql = this.ctx.storage.sql;
		return this.ctx.storage.transactionSync(() => queries.map((query) => runQuery(sql, query)));
	}

	/** Applied migration names, oldest first, as `wrangler d1 migrations list` counts them. */
	appliedMigrations() {
		return this.ctx.storage.sql
			.exec('SELECT name FROM d1_migrations ORDER BY id')
			.toArray()
			.map((row) => row.name);
	}

	#migrate() {
		const sql = this.ctx.storage.sql;
		sql.exec(MIGRATIONS_TABLE);
		const applied = new Set(this.appliedMigrations());
		for (const migration of migrations) {
			if (applied.has(migration.name)) continue;
			// One transaction per file, as wrangler does: a failing migration leaves no half-applied schema,
			// the error is logged, and the next start tries again.
			this.ctx.storage.transactionSync(() => {
				drain(sql.exec(migration.sql));
				sql.exec('INSERT INTO d1_migrations (name) VALUES (?)', migration.name);
			});
			console.log(`stores: applied migration ${migration.name}`);
		}
	}
}

function runQuery(sql, { sql: text, params }) {
	const sizeBefore = sql.databaseSize;
	const [changesBefore, rowIdBefore] = counters(sql);
	// D1's client sends BLOB parameters as arrays of byte values (JSON has no bytes).
	const values = (params ?? []).map((p) => (Array.isArray(p) ? new Uint8Array(p) : p));
	const started = performance.now();
	const cursor = sql.exec(text, ...values);
	// ...and hands BLOB columns back the same way.
	const rows = Array.from(cursor.raw(), (row) =>
		row.map((v) => (v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v))
	);
	// Read after the cursor is drained: only then has the statement finished. total_changes() counts rows
	// that triggers and cascades changed too, as D1 does.
	const [changesAfter, lastRowId] = counters(sql);
	const sizeAfter = sql.databaseSize;
	return {
		columns: cursor.columnNames,
		rows,
		meta: {
			served_by: 'murmur-selfhost',
			served_by_primary: true,
			duration: performance.now() - started,
			changes: changesAfter - changesBefore,
			last_row_id: lastRowId,
			changed_db: changesAfter !== changesBefore || lastRowId !== rowIdBefore || sizeAfter !== sizeBefore,
			size_after: sizeAfter,
			rows_read: cursor.rowsRead,
			rows_written: cursor.rowsWritten
		}
	};
}

const counters = (sql) => sql.exec('SELECT total_changes(), last_insert_rowid()').raw().next().value;

function drain(cursor) {
	for (const _row of cursor); // stepping the cursor is what runs every statement of a script
}
