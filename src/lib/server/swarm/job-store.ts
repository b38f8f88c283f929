import type { JobStatus, JobView } from '$lib/protocol/swarm';
import type { ChunkTask, CustomSummary, JobSpec } from '$lib/protocol/swarm-jobs';
import { num, type Row } from './sql-values';

/** Finished jobs kept (with their chunks and tiles); older ones are deleted when a new job arrives. */
export const JOBS_KEEP = 20;

/**
 * One replica of a chunk: `unit` is the logical chunk (what frames call "chunk"), `idx` this replica's row.
 * Built-in jobs have one replica per chunk (unit = idx); a custom job with replication k starts with k,
 * and the validator adds one per disagreement.
 */
export interface ChunkRow {
	jobSeq: number;
	jobId: string;
	idx: number;
	unit: number;
	task: ChunkTask;
	/**
	 * reported: a result awaits its vote; done: the accepted result of its chunk (holds the output);
	 * valid / invalid: on the agreeing / outvoted side; dropped: no longer needed (its chunk was decided,
	 * or the job cancelled).
	 */
	status: 'pending' | 'assigned' | 'reported' | 'done' | 'valid' | 'invalid' | 'dropped' | 'failed';
	deviceId: string | null;
	attempts: number;
	deadline: number | null;
}

export interface JobRow {
	seq: number;
	id: string;
	kind: JobView['kind'];
	status: JobStatus;
	total: number;
	done: number;
	k: number;
}

/** Running or paused: a job that still holds chunks and counts against MAX_RUNNING_JOBS. */
export const LIVE_STATUSES = "('running', 'paused')";

/**
 * Jobs and their chunks in the coordinator's SQLite (tables created by swarm-schema.ts). Split from
 * storage.ts so each file stays one concept: this is the work queue, that is membership and the log.
 */
export class JobStore {
	constructor(protected readonly sql: SqlStorage) {}

	/** A job and `k` pending replicas of each chunk; a custom job also keeps its compiled module and input. */
	insertJob(
		id: string,
		spec: JobSpec | CustomSummary,
		tasks: ChunkTask[],
		now: number,
		custom: { k: number; code: string; input: string } | null = null
	): number {
		const k = custom?.k ?? 1;
		const seq = num(
			this.sql
				.exec(
					"INSERT INTO jobs (id, kind, spec, status, total, created_at, k, code, input) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?) RETURNING seq",
					id,
					spec.kind,
					JSON.stringify(spec),
					tasks.length,
					now,
					k,
					custom?.code ?? null,
					custom?.input ?? null
				)
				.one().seq
		);
		tasks.forEach((task, unit) => {
			const text = JSON.stringify(task);
			for (let r = 0; r < k; r++) {
				this.sql.exec(
					"INSERT INTO chunks (job_seq, idx, unit, task, status) VALUES (?, ?, ?, ?, 'pending')",
					seq,
					unit * k + r,
					unit,
					text
				);
			}
		});
		return seq;
	}

	/** Drops the oldest finished jobs (and their chunks) beyond JOBS_KEEP. */
	pruneJobs(): void {
		const old = this.sql
			.exec("SELECT seq FROM jobs WHERE status != 'running' ORDER BY seq DESC LIMIT -1 OFFSET ?", JOBS_KEEP)
			.toArray()
			.map((r) => num(r.seq));
		for (const seq of old) {
			this.sql.exec('DELETE FROM chunks WHERE job_seq = ?', seq);
			this.sql.exec('DELETE FROM jobs WHERE seq = ?', seq);
		}
	}

	job(id: string): JobRow | null {
		const r = this.sql.exec('SELECT seq, id, kind, status, total, done, k FROM jobs WHERE id = ?', id).toArray()[0];
		return r ? jobRow(r) : null;
	}

	jobBySeq(seq: number): JobRow | null {
		const r = this.sql.exec('SELECT seq, id, kind, status, total, done, k FROM jobs WHERE seq = ?', seq).toArray()[0];
		return r ? jobRow(r) : null;
	}

	setJobStatus(seq: number, status: JobStatus): void {
		this.sql.exec('UPDATE jobs SET status = ? WHERE seq = ?', status, seq);
	}

	/** A custom job's compiled module and input, or null for built-in jobs and unknown ids. */
	customParts(id: string): { seq: number; code: string; input: string } | null {
		const r = this.sql.exec("SELECT seq, code, input FROM jobs WHERE id = ? AND kind = 'custom'", id).toArray()[0];
		return r && r.code !== null ? { seq: num(r.seq), code: String(r.code), input: String(r.input) } : null;
	}

	/** Accepted results of a job in chunk order (canonical JSON text each). */
	acceptedOutputs(seq: number): string[] {
		return this.sql
			.exec("SELECT output FROM chunks WHERE job_seq = ? AND status = 'done' ORDER BY unit", seq)
			.toArray()
			.map((r) => String(r.output));
	}

	jobViews(limit = JOBS_KEEP): JobView[] {
		return this.sql
			.exec('SELECT * FROM jobs ORDER BY seq DESC LIMIT ?', limit)
			.toArray()
			.map((r) => ({
				id: String(r.id),
				kind: String(r.kind) as JobView['kind'],
				status: String(r.status) as JobStatus,
				spec: JSON.parse(String(r.spec)) as JobView['spec'],
				k: num(r.k),
				total: num(r.total),
				done: num(r.done),
				disagreements: num(r.disagreements),
				retries: num(r.retries),
				createdAt: num(r.created_at),
				finishedAt: r.finished_at === null ? null : num(r.finished_at),
				answer: String(r.kind) === 'primes' ? num(r.answer) : null,
				error: r.error === null ? null : String(r.error)
			}));
	}

	/** Jobs running or paused (all of them, not only the newest shown on the dashboard): the submit cap. */
	runningJobs(): number {
		return num(this.sql.exec(`SELECT count(*) AS n FROM jobs WHERE status IN ${LIVE_STATUSES}`).one().n);
	}

	finishJob(seq: number, status: 'done' | 'failed' | 'cancelled', now: number, error: string | null = null): void {
		this.sql.exec('UPDATE jobs SET status = ?, finished_at = ?, error = ? WHERE seq = ?', status, now, error, seq);
	}

	chunk(jobId: string, idx: number): ChunkRow | null {
		const r = this.sql
			.exec(
				'SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE j.id = ? AND c.idx = ?',
				jobId,
				idx
			)
			.toArray()[0];
		return r ? chunkRow(r) : null;
	}

	/** The replica of chunk `unit` this device holds (frames name chunks by unit: a device holds at most one replica). */
	heldChunk(jobId: string, unit: number, deviceId: string): ChunkRow | null {
		const r = this.sql
			.exec(
				"SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE j.id = ? AND c.unit = ? AND c.device_id = ? AND c.status = 'assigned'",
				jobId,
				unit,
				deviceId
			)
			.toArray()[0];
		return r ? chunkRow(r) : null;
	}

	/** How many pending replicas of running jobs there are, counting at most `limit`. */
	pendingCount(limit: number): number {
		if (limit <= 0) return 0;
		return num(
			this.sql
				.exec(
					"SELECT count(*) AS n FROM (SELECT 1 FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE c.status = 'pending' AND j.status = 'running' LIMIT ?)",
					limit
				)
				.one().n
		);
	}

	/**
	 * Up to `limit` pending replicas of running jobs this device may compute, oldest job and lowest chunk
	 * first (a re-issued replica goes out before later chunks): never two replicas of one chunk, and never
	 * a chunk the device already computed or holds, so the k results of a chunk come from k devices.
	 */
	pendingFor(deviceId: string, limit: number): ChunkRow[] {
		if (limit <= 0) return [];
		const rows = this.sql
			.exec(
				`SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq
				 WHERE c.status = 'pending' AND j.status = 'running'
				   AND (j.k = 1 OR NOT EXISTS (SELECT 1 FROM chunks o WHERE o.job_seq = c.job_seq AND o.unit = c.unit AND o.device_id = ?))
				 ORDER BY c.job_seq, c.unit, c.idx LIMIT ?`,
				deviceId,
				limit * 3
			)
			.toArray()
			.map(chunkRow);
		const seen = new Set<string>();
		const picked: ChunkRow[] = [];
		for (const row of rows) {
			const key = `${row.jobSeq}:${row.unit}`;
			if (seen.has(key)) continue;
			seen.add(key);
			picked.push(row);
			if (picked.length === limit) break;
		}
		return picked;
	}

	assign(chunk: ChunkRow, deviceId: string, deadline: number): void {
		this.sql.exec(
			"UPDATE chunks SET status = 'assigned', device_id = ?, deadline = ?, attempts = attempts + 1 WHERE job_seq = ? AND idx = ?",
			deviceId,
			deadline,
			chunk.jobSeq,
			chunk.idx
		);
	}

	/**
	 * Puts a chunk back in the queue (its device went away, timed out or failed). Only while it is still
	 * assigned to that device: callers loop over rows read earlier, and a row that meanwhile failed with its
	 * job (or moved on) must not come back to life. Returns whether anything changed.
	 */
	requeue(chunk: ChunkRow): boolean {
		const changed = this.sql.exec(
			"UPDATE chunks SET status = 'pending', device_id = NULL, deadline = NULL WHERE job_seq = ? AND idx = ? AND status = 'assigned' AND device_id = ?",
			chunk.jobSeq,
			chunk.idx,
			chunk.deviceId
		).rowsWritten;
		if (changed === 0) return false;
		this.sql.exec('UPDATE jobs SET retries = retries + 1 WHERE seq = ?', chunk.jobSeq);
		return true;
	}

	/**
	 * Ends every unfinished replica of a job (`failed` when it failed, `dropped` when cancelled); returns
	 * those that were assigned (to tell their devices).
	 */
	failJobChunks(jobSeq: number, status: 'failed' | 'dropped' = 'failed'): ChunkRow[] {
		const assigned = this.sql
			.exec(
				"SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE c.job_seq = ? AND c.status = 'assigned'",
				jobSeq
			)
			.toArray()
			.map(chunkRow);
		this.sql.exec(
			"UPDATE chunks SET status = ?, deadline = NULL, output = NULL WHERE job_seq = ? AND status IN ('pending', 'assigned', 'reported')",
			status,
			jobSeq
		);
		return assigned;
	}

	assignedTo(deviceId: string): ChunkRow[] {
		return this.sql
			.exec(
				"SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE c.status = 'assigned' AND c.device_id = ?",
				deviceId
			)
			.toArray()
			.map(chunkRow);
	}

	/** Assigned chunks past their deadline, earliest first. */
	overdue(now: number): ChunkRow[] {
		return this.sql
			.exec(
				"SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE c.status = 'assigned' AND c.deadline <= ? ORDER BY c.deadline, c.job_seq, c.idx",
				now
			)
			.toArray()
			.map(chunkRow);
	}

	earliestDeadline(): number | null {
		const r = this.sql.exec("SELECT min(deadline) AS t FROM chunks WHERE status = 'assigned'").one();
		return r.t === null ? null : num(r.t);
	}

	inFlightByDevice(): Map<string, number> {
		return new Map(
			this.sql
				.exec("SELECT device_id, count(*) AS n FROM chunks WHERE status = 'assigned' GROUP BY device_id")
				.toArray()
				.map((r) => [String(r.device_id), num(r.n)])
		);
	}

	/** Finished tiles of a fractal job, for dashboards that connect after it ran. */
	tiles(jobId: string): { task: ChunkTask; pixels: string }[] {
		return this.sql
			.exec(
				"SELECT c.task, c.output FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE j.id = ? AND j.kind = 'mandelbrot' AND c.status = 'done'",
				jobId
			)
			.toArray()
			.map((r) => ({ task: JSON.parse(String(r.task)) as ChunkTask, pixels: String(r.output) }));
	}

	/**
	 * Chunks finished per `bucketMs` since `since` (sparse: empty buckets are absent), keyed by bucket start.
	 * The divisor is cast because the runtime binds every JS number as REAL: `done_at / 2000.0` is a
	 * fractional quotient, one group per millisecond that never matches a bucket start (the chart read 0).
	 */
	throughput(since: number, bucketMs: number): Map<number, number> {
		return new Map(
			this.sql
				.exec(
					'SELECT done_at / CAST(? AS INTEGER) AS b, count(*) AS n FROM chunks WHERE done_at >= ? GROUP BY b',
					bucketMs,
					since
				)
				.toArray()
				.map((r) => [num(r.b) * bucketMs, num(r.n)])
		);
	}
}

function chunkRow(r: Row): ChunkRow {
	return {
		jobSeq: num(r.job_seq),
		jobId: String(r.job_id),
		idx: num(r.idx),
		unit: num(r.unit),
		task: JSON.parse(String(r.task)) as ChunkTask,
		status: String(r.status) as ChunkRow['status'],
		deviceId: r.device_id === null ? null : String(r.device_id),
		attempts: num(r.attempts),
		deadline: r.deadline === null ? null : num(r.deadline)
	};
}

function jobRow(r: Row): JobRow {
	return {
		seq: num(r.seq),
		id: String(r.id),
		kind: String(r.kind) as JobRow['kind'],
		status: String(r.status) as JobStatus,
		total: num(r.total),
		done: num(r.done),
		k: num(r.k)
	};
}
