import type { Capabilities, DeviceStatus, InviteTokenView, LogLine } from '$lib/protocol/swarm';
import { DEVICE_COLUMNS } from '$lib/protocol/swarm-columns';
import type { Row as WireRow } from '$lib/protocol/swarm-rows';
import { JobStore } from './job-store';
import { num, type Row } from './sql-values';

export type { ChunkRow, JobRow } from './job-store';

/**
 * The coordinator's durable state in its SQLite: devices, join tokens, the system log, meta and counters
 * here, jobs and chunks in JobStore (job-store.ts), which this extends; the tables are created by
 * swarm-schema.ts. Every method is synchronous (SQLite in a DO is local), so a handler's reads and writes
 * happen in one turn and commit together.
 */

/** Log lines kept; dashboards get the most recent ones. Bounded so a noisy swarm cannot grow storage. */
export const LOG_KEEP = 500;
/** Where each column of the dashboard's device rows comes from ('0': inFlight, counted from the chunks). */
const DEVICE_SQL: Record<(typeof DEVICE_COLUMNS)[number], string> = {
	id: 'id',
	inviteId: 'token_id',
	name: 'name',
	status: 'status',
	score: 'score',
	inFlight: '0',
	done: 'chunks_done',
	failed: 'chunks_failed',
	cpuMs: 'cpu_ms',
	votesWon: 'votes_won',
	votesLost: 'votes_lost',
	quarantined: 'quarantined',
	paused: 'paused',
	slots: 'slots',
	cores: 'cores',
	memoryGb: 'memory_gb',
	gpu: 'gpu',
	userAgent: 'user_agent',
	joinedAt: 'joined_at',
	lastSeenAt: 'last_seen_at'
};
const DEVICE_ROW_SQL = DEVICE_COLUMNS.map((column) => DEVICE_SQL[column]).join(', ');
const IN_FLIGHT = DEVICE_COLUMNS.indexOf('inFlight');
const BOOLEANS = [DEVICE_COLUMNS.indexOf('quarantined'), DEVICE_COLUMNS.indexOf('paused')];

/** The coordinator's invite rows are exactly what the dashboard lists. */
export type TokenRow = InviteTokenView;

export interface DeviceRow {
	id: string;
	tokenId: string;
	name: string;
	score: number | null;
	status: DeviceStatus;
	statusSince: number;
	lastSeenAt: number;
	chunksDone: number;
}

export class SwarmStore extends JobStore {
	/**
	 * Every change to a device row gives it the next revision, so the dashboard stream reads only the rows
	 * changed since its last broadcast ("rev > the revision it read up to"). The stream's cursor lives in
	 * memory like its baseline, so after a restart it starts from a full read and revisions need only grow
	 * within one life of the object.
	 */
	private rev: number;

	/** `sql` must hold the swarm schema already (migrateSwarmSchema). */
	constructor(sql: SqlStorage) {
		super(sql);
		this.rev = num(sql.exec('SELECT coalesce(max(rev), 0) AS r FROM devices').one().r);
	}

	// ---- meta and counters ---------------------------------------------------------------------

	getMeta(key: string): string | null {
		const row = this.sql.exec('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
		return row ? String(row.value) : null;
	}

	setMeta(key: string, value: string): void {
		this.sql.exec(
			'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
			key,
			value
		);
	}

	counter(key: string): number {
		const row = this.sql.exec('SELECT value FROM counters WHERE key = ?', key).toArray()[0];
		return row ? num(row.value) : 0;
	}

	bump(key: string, by = 1): void {
		this.sql.exec(
			'INSERT INTO counters (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + ?',
			key,
			by,
			by
		);
	}

	setCounter(key: string, value: number): void {
		this.sql.exec(
			'INSERT INTO counters (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
			key,
			value
		);
	}

	counters(): Record<string, number> {
		return Object.fromEntries(
			this.sql
				.exec('SELECT key, value FROM counters')
				.toArray()
				.map((r) => [String(r.key), num(r.value)])
		);
	}

	/** The revision of the newest device change. */
	currentRev(): number {
		return this.rev;
	}

	// ---- tokens --------------------------------------------------------------------------------

	insertToken(t: { id: string; hash: string; createdAt: number; expiresAt: number; maxUses: number | null }): void {
		this.sql.exec(
			'INSERT INTO tokens (id, hash, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?)',
			t.id,
			t.hash,
			t.createdAt,
			t.expiresAt,
			t.maxUses
		);
	}

	/** Creation times inside the window, oldest first (for the rate limit). */
	tokenCreationsSince(since: number): number[] {
		return this.sql
			.exec('SELECT created_at FROM tokens WHERE created_at > ? ORDER BY created_at', since)
			.toArray()
			.map((r) => num(r.created_at));
	}

	tokenByHash(hash: string): TokenRow | null {
		const r = this.sql.exec('SELECT * FROM tokens WHERE hash = ?', hash).toArray()[0];
		return r ? tokenRow(r) : null;
	}

	tokenById(id: string): TokenRow | null {
		const r = this.sql.exec('SELECT * FROM tokens WHERE id = ?', id).toArray()[0];
		return r ? tokenRow(r) : null;
	}

	tokenHash(id: string): string | null {
		const r = this.sql.exec('SELECT hash FROM tokens WHERE id = ?', id).toArray()[0];
		return r ? String(r.hash) : null;
	}

	listTokens(): TokenRow[] {
		return this.sql.exec('SELECT * FROM tokens ORDER BY created_at DESC LIMIT 50').toArray().map(tokenRow);
	}

	useToken(id: string): void {
		this.sql.exec('UPDATE tokens SET uses = uses + 1 WHERE id = ?', id);
	}

	revokeToken(id: string, now: number): boolean {
		return (
			this.sql.exec('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, id).rowsWritten > 0
		);
	}

	/** Expired tokens that no device row names any more (the dashboard groups devices by their invite). */
	deleteDeadTokens(before: number): void {
		this.sql.exec('DELETE FROM tokens WHERE expires_at < ? AND id NOT IN (SELECT token_id FROM devices)', before);
	}

	// ---- devices -------------------------------------------------------------------------------

	insertDevice(id: string, tokenId: string, caps: Capabilities, now: number): void {
		this.sql.exec(
			`INSERT INTO devices (id, token_id, name, cores, memory_gb, gpu, user_agent, status, status_since, joined_at, last_seen_at, rev)
			 VALUES (?, ?, ?, ?, ?, ?, ?, 'offline', ?, ?, ?, ?)`,
			id,
			tokenId,
			caps.name,
			caps.cores,
			caps.memoryGb,
			caps.gpu,
			caps.userAgent,
			now,
			now,
			now,
			++this.rev
		);
	}

	device(id: string): DeviceRow | null {
		const r = this.sql.exec('SELECT * FROM devices WHERE id = ?', id).toArray()[0];
		return r ? deviceRow(r) : null;
	}

	/** Every device row, left and revoked ones too (kept until cleanup), so join/leave loops cannot grow storage. */
	countDevices(): number {
		return num(this.sql.exec('SELECT count(*) AS n FROM devices').one().n);
	}

	devicesWithStatus(status: DeviceStatus): DeviceRow[] {
		return this.sql.exec('SELECT * FROM devices WHERE status = ?', status).toArray().map(deviceRow);
	}

	devicesOfToken(tokenId: string): DeviceRow[] {
		return this.sql.exec('SELECT * FROM devices WHERE token_id = ?', tokenId).toArray().map(deviceRow);
	}

	setDeviceStatus(id: string, status: DeviceStatus, now: number): void {
		this.sql.exec(
			'UPDATE devices SET status = ?, status_since = ?, last_seen_at = ?, rev = ? WHERE id = ?',
			status,
			now,
			now,
			++this.rev,
			id
		);
	}

	setScore(id: string, score: number, now: number): void {
		this.sql.exec('UPDATE devices SET score = ?, last_seen_at = ?, rev = ? WHERE id = ?', score, now, ++this.rev, id);
	}

	/** A chunk computed (with the CPU time its runner reported) or failed. */
	recordChunkOutcome(id: string, ok: boolean, now: number, cpuMs = 0): void {
		this.sql.exec(
			`UPDATE devices SET ${ok ? 'chunks_done = chunks_done + 1' : 'chunks_failed = chunks_failed + 1'}, cpu_ms = cpu_ms + ?, last_seen_at = ?, rev = ? WHERE id = ?`,
			Math.round(cpuMs),
			now,
			++this.rev,
			id
		);
	}

	/** What the device's person lends: nothing while paused, else `slots` chunks at once (at most its cores). */
	setLending(id: string, paused: boolean, slots: number): void {
		this.sql.exec(
			'UPDATE devices SET paused = ?, slots = min(?, cores), rev = ? WHERE id = ?',
			paused ? 1 : 0,
			slots,
			++this.rev,
			id
		);
	}

	/** A device's row changed outside this class (its votes, VoteStore): dashboards should see it. */
	touchDevice(id: string): void {
		this.sql.exec('UPDATE devices SET rev = ? WHERE id = ?', ++this.rev, id);
	}

	/** Online devices with a benchmark score, not quarantined and lending: the ones that can take chunks. */
	schedulable(): { id: string; score: number; votesWon: number; votesLost: number; slots: number }[] {
		return this.sql
			.exec(
				"SELECT id, score, votes_won, votes_lost, slots FROM devices WHERE status = 'online' AND score IS NOT NULL AND quarantined = 0 AND paused = 0"
			)
			.toArray()
			.map((r) => ({
				id: String(r.id),
				score: num(r.score),
				votesWon: num(r.votes_won),
				votesLost: num(r.votes_lost),
				slots: num(r.slots)
			}));
	}

	/** Deletes devices that have been offline (or left, or revoked) since before `before`. */
	deleteStaleDevices(before: number): number {
		return this.sql.exec("DELETE FROM devices WHERE status != 'online' AND status_since < ?", before).rowsWritten;
	}

	oldestInactiveSince(): number | null {
		const r = this.sql.exec("SELECT min(status_since) AS t FROM devices WHERE status != 'online'").one();
		return r.t === null ? null : num(r.t);
	}

	/**
	 * Device rows for the dashboard (swarm-columns.ts tuples) in the order they joined: all, or those changed
	 * after `sinceRev`. Read as raw values: building an object per row costs several times what the values
	 * do, and the broadcast reads rows every 2 s.
	 */
	deviceRows(inFlight: Map<string, number>, sinceRev = 0): WireRow[] {
		const rows: WireRow[] = [];
		const query = `SELECT ${DEVICE_ROW_SQL} FROM devices WHERE rev > ? ORDER BY joined_at`;
		for (const values of this.sql.exec(query, sinceRev).raw()) {
			const row: WireRow = values;
			row[IN_FLIGHT] = inFlight.get(String(row[0])) ?? 0;
			for (const i of BOOLEANS) row[i] = row[i] === 1;
			rows.push(row);
		}
		return rows;
	}

	// ---- log -----------------------------------------------------------------------------------

	appendLog(level: LogLine['level'], text: string, now: number): void {
		const seq = num(
			this.sql.exec('INSERT INTO log (at, level, text) VALUES (?, ?, ?) RETURNING seq', now, level, text).one().seq
		);
		if (seq % 50 === 0) this.sql.exec('DELETE FROM log WHERE seq <= ?', seq - LOG_KEEP);
	}

	logSince(seq: number, limit: number): LogLine[] {
		return this.sql
			.exec('SELECT * FROM (SELECT * FROM log WHERE seq > ? ORDER BY seq DESC LIMIT ?) ORDER BY seq', seq, limit)
			.toArray()
			.map((r) => ({
				seq: num(r.seq),
				at: num(r.at),
				level: String(r.level) as LogLine['level'],
				text: String(r.text)
			}));
	}

	lastLogSeq(): number {
		return num(this.sql.exec('SELECT coalesce(max(seq), 0) AS s FROM log').one().s);
	}
}

function tokenRow(r: Row): TokenRow {
	return {
		id: String(r.id),
		createdAt: num(r.created_at),
		expiresAt: num(r.expires_at),
		maxUses: r.max_uses === null ? null : num(r.max_uses),
		uses: num(r.uses),
		revokedAt: r.revoked_at === null ? null : num(r.revoked_at)
	};
}

function deviceRow(r: Row): DeviceRow {
	return {
		id: String(r.id),
		tokenId: String(r.token_id),
		name: String(r.name),
		score: r.score === null ? null : num(r.score),
		status: String(r.status) as DeviceStatus,
		statusSince: num(r.status_since),
		lastSeenAt: num(r.last_seen_at),
		chunksDone: num(r.chunks_done)
	};
}
