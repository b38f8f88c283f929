import { migrateSchema } from '$lib/server/realtime/sql-schema';

/**
 * Per-user minimum claims versions, raised when a member is removed or their role changes, so the
 * WorkspaceSync object refuses their older tokens before KV has propagated the bump. The first step is
 * the table constructors created before versioned schemas: idempotent.
 */
const SCHEMA = [`CREATE TABLE IF NOT EXISTS revocations (user_id TEXT PRIMARY KEY, min_version INTEGER NOT NULL)`];

export class Revocations {
	private readonly sql: SqlStorage;

	constructor(storage: DurableObjectStorage) {
		this.sql = storage.sql;
		migrateSchema(storage, 'revocations', SCHEMA);
	}

	/** Tokens of `userId` below `minVersion` are refused from now on (a lower call never lowers it). */
	raise(userId: string, minVersion: number): void {
		this.sql.exec(
			`INSERT INTO revocations (user_id, min_version) VALUES (?, ?)
			 ON CONFLICT (user_id) DO UPDATE SET min_version = MAX(min_version, excluded.min_version)`,
			userId,
			minVersion
		);
	}

	/** The lowest claims version of `userId` this object accepts (0: none refused). */
	minVersion(userId: string): number {
		return (
			this.sql
				.exec<{ min_version: number }>(`SELECT min_version FROM revocations WHERE user_id = ?`, userId)
				.toArray()[0]?.min_version ?? 0
		);
	}
}
