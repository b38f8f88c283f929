import { migrateSchema, type SchemaStep } from '$lib/server/realtime/sql-schema';

/**
 * The SwarmCoordinator's table layout, as versioned steps (sql-schema.ts): SwarmStore (storage.ts) and
 * JobStore (job-store.ts) read and write these tables. Append a step to change them; never edit one.
 */
const STEPS: readonly SchemaStep[] = [
	// 1: the layout from before versioning, idempotent so objects created earlier keep their data.
	`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
	id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
	max_uses INTEGER, uses INTEGER NOT NULL DEFAULT 0, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS tokens_created ON tokens(created_at);
CREATE TABLE IF NOT EXISTS devices (
	id TEXT PRIMARY KEY, token_id TEXT NOT NULL, name TEXT NOT NULL, cores INTEGER NOT NULL, memory_gb REAL,
	gpu TEXT, user_agent TEXT NOT NULL, score REAL, status TEXT NOT NULL, status_since INTEGER NOT NULL,
	joined_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, chunks_done INTEGER NOT NULL DEFAULT 0,
	chunks_failed INTEGER NOT NULL DEFAULT 0, rev INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS devices_rev ON devices(rev);
CREATE INDEX IF NOT EXISTS devices_status ON devices(status, status_since);
CREATE TABLE IF NOT EXISTS jobs (
	seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, spec TEXT NOT NULL,
	status TEXT NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0, retries INTEGER NOT NULL DEFAULT 0,
	answer REAL NOT NULL DEFAULT 0, error TEXT, created_at INTEGER NOT NULL, finished_at INTEGER);
CREATE TABLE IF NOT EXISTS chunks (
	job_seq INTEGER NOT NULL, idx INTEGER NOT NULL, task TEXT NOT NULL, status TEXT NOT NULL, device_id TEXT,
	attempts INTEGER NOT NULL DEFAULT 0, deadline INTEGER, done_at INTEGER, output TEXT,
	PRIMARY KEY (job_seq, idx));
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks(job_seq, idx) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS chunks_device ON chunks(device_id) WHERE status = 'assigned';
CREATE INDEX IF NOT EXISTS chunks_deadline ON chunks(deadline) WHERE status = 'assigned';
CREATE INDEX IF NOT EXISTS chunks_done_at ON chunks(done_at) WHERE done_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, level TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
	// 2: replicated chunks and votes. A chunk row is now one replica of a logical chunk (`unit`, what
	// frames call "chunk"); `digest` is the server's SHA-256 of a reported result. Jobs carry their
	// replication k and, for custom jobs, the compiled module and input; devices their votes, CPU time,
	// quarantine and lending (paused, slots).
	`ALTER TABLE chunks ADD COLUMN unit INTEGER NOT NULL DEFAULT 0;
UPDATE chunks SET unit = idx;
ALTER TABLE chunks ADD COLUMN digest TEXT;
CREATE INDEX chunks_unit ON chunks(job_seq, unit, device_id);
CREATE INDEX chunks_pending_unit ON chunks(job_seq, unit, idx) WHERE status = 'pending';
ALTER TABLE jobs ADD COLUMN k INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN code TEXT;
ALTER TABLE jobs ADD COLUMN input TEXT;
ALTER TABLE jobs ADD COLUMN output_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN disagreements INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN cpu_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN votes_won INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN votes_lost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN slots INTEGER NOT NULL DEFAULT 1;`
];

export function migrateSwarmSchema(storage: DurableObjectStorage): void {
	migrateSchema(storage, 'swarm', STEPS);
}
