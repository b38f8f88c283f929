/**
 * Versioned schema migrations for one Durable Object's SQLite, replacing ad-hoc `CREATE TABLE IF NOT
 * EXISTS` in constructors. Each part of an object (a store, the token buckets) owns a named list of
 * steps; the step count reached is kept in `_schema` per part, and only the steps after it run, in one
 * synchronous transaction with the version update, so a step either lands with its version or not at all.
 *
 * Steps are append-only: never edit a shipped step, add one. The first step of a part that existed
 * before this helper must be idempotent (`IF NOT EXISTS`), since objects created earlier already hold
 * those tables without a `_schema` row.
 */
export type SchemaStep = string | ((sql: SqlStorage) => void);

export function migrateSchema(storage: DurableObjectStorage, part: string, steps: readonly SchemaStep[]): void {
	const { sql } = storage;
	storage.transactionSync(() => {
		sql.exec('CREATE TABLE IF NOT EXISTS _schema (part TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID');
		const row = sql.exec<{ version: number }>('SELECT version FROM _schema WHERE part = ?', part).toArray()[0];
		const from = row?.version ?? 0;
		if (from > steps.length) {
			// Storage written by a newer deploy: running old code over it could corrupt it.
			throw new Error(`${part}: stored schema version ${from} is newer than this code's ${steps.length}`);
		}
		if (from === steps.length) return;
		for (const step of steps.slice(from)) {
			if (typeof step === 'string') sql.exec(step);
			else step(sql);
		}
		sql.exec(
			'INSERT INTO _schema (part, version) VALUES (?, ?) ON CONFLICT (part) DO UPDATE SET version = excluded.version',
			part,
			steps.length
		);
	});
}

/** Whether `table` has `column` (for a first step that must bring objects of older deploys up to date). */
export function hasColumn(sql: SqlStorage, table: string, column: string): boolean {
	return sql
		.exec<{ name: string }>('SELECT name FROM pragma_table_info(?)', table)
		.toArray()
		.some((c) => c.name === column);
}
