import type { JobStatus, JobView } from '$lib/protocol/swarm';
import type { ChunkOutput, ChunkTask, JobSpec } from '$lib/protocol/swarm-jobs';
import { num, type Row } from './sql-values';

/** Finished jobs kept (with their chunks and tiles); older ones are deleted when a new job arrives. */
export const JOBS_KEEP = 20;

export interface ChunkRow {
	jobSeq: number;
	jobId: string;
	idx: number;
	task: ChunkTask;
	status: 'pending' | 'assigned' | 'done' | 'failed';
	deviceId: string | null;
	attempts: number;
	deadline: number | null;
}

export interface JobRow {
	seq: number;
	id: string;
	status: JobStatus;
	total: number;
	done: number;
}

/**
 * Jobs and their chunks in the coordinator's SQLite (tables created by swarm-schema.ts). Split from
 * storage.ts so each file stays one concept: this is the work queue, that is membership and the log.
 */
export class JobStore {
	constructor(protected readonly sql: SqlStorage) {}

	insertJob(id: string, spec: JobSpec, tasks: ChunkTask[], now: number): number {
		const seq = num(
			this.sql
				.exec(
					"INSERT INTO jobs (id, kind, spec, status, total, created_at) VALUES (?, ?, ?, 'running', ?, ?) RETURNING seq",
					id,
					spec.kind,
					JSON.stringify(spec),
					tasks.length,
					now
				)
				.one().seq
		);
		tasks.forEach((task, idx) =>
			this.sql.exec(
				"INSERT INTO chunks (job_seq, idx, task, status) VALUES (?, ?, ?, 'pending')",
				seq,
				idx,
				JSON.stringify(task)
			)
		);
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
		const r = this.sql.exec('SELECT seq, id, status, total, done FROM jobs WHERE id = ?', id).toArray()[0];
		return r
			? {
					seq: num(r.seq),
					id: String(r.id),
					status: String(r.status) as JobStatus,
					total: num(r.total),
					done: num(r.done)
				}
			: null;
	}

	jobViews(limit = JOBS_KEEP): JobView[] {
		return this.sql
			.exec('SELECT * FROM jobs ORDER BY seq DESC LIMIT ?', limit)
			.toArray()
			.map((r) => ({
				id: String(r.id),
				kind: String(r.kind) as JobView['kind'],
				status: String(r.status) as JobStatus,
				spec: JSON.parse(String(r.spec)) as JobSpec,
				total: num(r.total),
				done: num(r.done),
				retries: num(r.retries),
				createdAt: num(r.created_at),
				finishedAt: r.finished_at === null ? null : num(r.finished_at),
				answer: String(r.kind) === 'primes' ? num(r.answer) : null,
				error: r.error === null ? null : String(r.error)
			}));
	}

	/** Jobs still running (all of them, not only the newest shown on the dashboard): the submit cap. */
	runningJobs(): number {
		return num(this.sql.exec("SELECT count(*) AS n FROM jobs WHERE status = 'running'").one().n);
	}

	finishJob(seq: number, status: 'done' | 'failed', now: number, error: string | null = null): void {
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

	/** Up to `limit` pending chunks of running jobs, oldest job first (a failed job's chunks never go out). */
	pending(limit: number): ChunkRow[] {
		if (limit <= 0) return [];
		return this.sql
			.exec(
				"SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE c.status = 'pending' AND j.status = 'running' ORDER BY c.job_seq, c.idx LIMIT ?",
				limit
			)
			.toArray()
			.map(chunkRow);
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

	/** Accepts a result; returns the job's new done count. */
	complete(chunk: ChunkRow, output: ChunkOutput, contribution: number, now: number): number {
		this.sql.exec(
			"UPDATE chunks SET status = 'done', deadline = NULL, done_at = ?, output = ? WHERE job_seq = ? AND idx = ?",
			now,
			output.kind === 'mandelbrot' ? output.pixels : JSON.stringify(output),
			chunk.jobSeq,
			chunk.idx
		);
		return num(
			this.sql
				.exec(
					'UPDATE jobs SET done = done + 1, answer = answer + ? WHERE seq = ? RETURNING done',
					contribution,
					chunk.jobSeq
				)
				.one().done
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

	/** Marks every unfinished chunk of a job failed; returns those that were assigned (to tell their devices). */
	failJobChunks(jobSeq: number): ChunkRow[] {
		const assigned = this.sql
			.exec(
				"SELECT c.*, j.id AS job_id FROM chunks c JOIN jobs j ON j.seq = c.job_seq WHERE c.job_seq = ? AND c.status = 'assigned'",
				jobSeq
			)
			.toArray()
			.map(chunkRow);
		this.sql.exec(
			"UPDATE chunks SET status = 'failed', device_id = NULL, deadline = NULL WHERE job_seq = ? AND status IN ('pending', 'assigned')",
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
		task: JSON.parse(String(r.task)) as ChunkTask,
		status: String(r.status) as ChunkRow['status'],
		deviceId: r.device_id === null ? null : String(r.device_id),
		attempts: num(r.attempts),
		deadline: r.deadline === null ? null : num(r.deadline)
	};
}
