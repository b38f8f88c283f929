import { num } from './sql-values';
import type { ChunkRow } from './job-store';

export interface Replica {
	idx: number;
	deviceId: string | null;
	status: ChunkRow['status'];
	digest: string | null;
}

/**
 * The validator's SQL over the coordinator's chunk and job tables (swarm-schema.ts step 2): reported
 * results with their server-computed digests, the verdict on a chunk, re-issued replicas, and the
 * devices' vote counts. Its own class so the work queue (job-store.ts) stays one concept.
 */
export class VoteStore {
	constructor(private readonly sql: SqlStorage) {}

	/** A result arrived: the replica waits for its vote holding the result and its digest. */
	report(chunk: ChunkRow, digest: string, output: string): void {
		this.sql.exec(
			"UPDATE chunks SET status = 'reported', deadline = NULL, digest = ?, output = ? WHERE job_seq = ? AND idx = ?",
			digest,
			output,
			chunk.jobSeq,
			chunk.idx
		);
	}

	replicas(jobSeq: number, unit: number): Replica[] {
		return this.sql
			.exec(
				'SELECT idx, device_id, status, digest FROM chunks WHERE job_seq = ? AND unit = ? ORDER BY idx',
				jobSeq,
				unit
			)
			.toArray()
			.map((r) => ({
				idx: num(r.idx),
				deviceId: r.device_id === null ? null : String(r.device_id),
				status: String(r.status) as ChunkRow['status'],
				digest: r.digest === null ? null : String(r.digest)
			}));
	}

	/**
	 * The chunk is decided: replica `keep` holds the accepted output (status done), the other agreeing ones
	 * become valid, the outvoted invalid, and the ones still out dropped; only `keep` keeps its output, so a
	 * decided chunk holds one result. Adds the chunk to its job's done count, answer and output size;
	 * returns the job's new done count.
	 */
	accept(jobSeq: number, unit: number, digest: string, keep: number, contribution: number, bytes: number, now: number) {
		this.sql.exec(
			`UPDATE chunks SET
			   status = CASE WHEN idx = ? THEN 'done' WHEN status = 'reported' AND digest = ? THEN 'valid'
			                 WHEN status = 'reported' THEN 'invalid' ELSE 'dropped' END,
			   output = CASE WHEN idx = ? THEN output ELSE NULL END,
			   done_at = CASE WHEN idx = ? THEN ? ELSE done_at END,
			   deadline = NULL
			 WHERE job_seq = ? AND unit = ? AND status IN ('pending', 'assigned', 'reported')`,
			keep,
			digest,
			keep,
			keep,
			now,
			jobSeq,
			unit
		);
		return num(
			this.sql
				.exec(
					'UPDATE jobs SET done = done + 1, answer = answer + ?, output_bytes = output_bytes + ? WHERE seq = ? RETURNING done',
					contribution,
					bytes,
					jobSeq
				)
				.one().done
		);
	}

	outputBytes(jobSeq: number): number {
		return num(this.sql.exec('SELECT output_bytes FROM jobs WHERE seq = ?', jobSeq).one().output_bytes);
	}

	/** The chunk's results disagree: `count` more replicas of it, to be computed by devices that have not. */
	reissue(jobSeq: number, unit: number, count: number): void {
		const next = num(this.sql.exec('SELECT max(idx) + 1 AS n FROM chunks WHERE job_seq = ?', jobSeq).one().n);
		const task = String(
			this.sql.exec('SELECT task FROM chunks WHERE job_seq = ? AND unit = ? LIMIT 1', jobSeq, unit).one().task
		);
		for (let i = 0; i < count; i++) {
			this.sql.exec(
				"INSERT INTO chunks (job_seq, idx, unit, task, status) VALUES (?, ?, ?, ?, 'pending')",
				jobSeq,
				next + i,
				unit,
				task
			);
		}
		this.sql.exec('UPDATE jobs SET disagreements = disagreements + 1 WHERE seq = ?', jobSeq);
	}

	/**
	 * Counts a vote for or against a device; answers its totals and whether it is already quarantined.
	 * (The caller moves the device's revision so dashboards see it: SwarmStore.touchDevice.)
	 */
	recordVote(deviceId: string, won: boolean): { won: number; lost: number; quarantined: boolean } {
		const r = this.sql
			.exec(
				`UPDATE devices SET ${won ? 'votes_won = votes_won + 1' : 'votes_lost = votes_lost + 1'} WHERE id = ?
				 RETURNING votes_won, votes_lost, quarantined`,
				deviceId
			)
			.toArray()[0];
		return r
			? { won: num(r.votes_won), lost: num(r.votes_lost), quarantined: num(r.quarantined) === 1 }
			: { won: 0, lost: 0, quarantined: false };
	}

	quarantine(deviceId: string): void {
		this.sql.exec('UPDATE devices SET quarantined = 1 WHERE id = ?', deviceId);
	}
}
