import type { ChunkOutput } from '$lib/protocol/swarm-jobs';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { answerContribution, outputProblem } from './jobs';
import { CHUNK_TIMEOUT_MS, MAX_ATTEMPTS } from './lifecycle';
import { allocate, quotaFor, type Candidate } from './scheduler';
import type { ChunkRow, SwarmStore } from './storage';
import type { SwarmLog, SwarmSockets } from './swarm-sockets';

/** What the dispatcher needs from the coordinator: its sockets, its log, and who handles a lost device. */
export interface DispatchPorts {
	sockets: SwarmSockets;
	log: SwarmLog;
	/** A device picked for work turned out to have no socket. */
	lost(deviceId: string): void;
}

/**
 * The chunk life cycle inside the coordinator: hands out pending chunks by weight within quotas,
 * accepts results, requeues or fails chunks. The pool of schedulable devices (scores, quotas, in-flight
 * counts) is cached in memory and rebuilt from storage when devices join, leave or re-benchmark, or
 * after the object restarts, so a result does not re-read every device.
 */
export class Dispatcher {
	private cached: Map<string, Candidate> | null = null;

	constructor(
		private readonly store: SwarmStore,
		private readonly ports: DispatchPorts
	) {}

	/** Scores or membership changed: recompute quotas on next use. */
	invalidate(): void {
		this.cached = null;
	}

	pool(): Map<string, Candidate> {
		if (this.cached) return this.cached;
		const devices = this.store.schedulable();
		const maxScore = devices.reduce((max, d) => Math.max(max, d.score), 0);
		const inFlight = this.store.inFlightByDevice();
		this.cached = new Map(
			devices.map((d) => [
				d.id,
				{ id: d.id, score: d.score, inFlight: inFlight.get(d.id) ?? 0, quota: quotaFor(d.score, maxScore) }
			])
		);
		return this.cached;
	}

	/** Hands pending chunks to online benchmarked devices with free slots, weighted by score. */
	assignPending(now: number): number {
		const pool = this.pool();
		let free = 0;
		for (const c of pool.values()) free += Math.max(0, c.quota - c.inFlight);
		const pending = this.store.pending(free);
		if (pending.length === 0) return 0;
		const split = allocate(pending.length, [...pool.values()]);
		let next = 0;
		let assigned = 0;
		for (const [deviceId, count] of split) {
			const batch = pending.slice(next, next + count);
			next += count;
			const ws = this.ports.sockets.devices(deviceId)[0];
			if (!ws) {
				// Its chunks stay pending; the pool is rebuilt without it.
				this.ports.lost(deviceId);
				continue;
			}
			const deadline = now + CHUNK_TIMEOUT_MS;
			for (const chunk of batch) this.store.assign(chunk, deviceId, deadline);
			this.adjustInFlight(deviceId, count);
			this.store.touchDevice(deviceId);
			this.ports.sockets.send(ws, 'assign', {
				chunks: batch.map((c) => ({ jobId: c.jobId, chunk: c.idx, task: c.task, deadline }))
			});
			assigned += count;
		}
		this.store.bump('assignments', assigned);
		return assigned;
	}

	/**
	 * A device reconnected: re-send the chunks it still holds with their attempts and deadlines unchanged,
	 * so reconnecting neither uses up retries nor holds a chunk past its original deadline.
	 */
	resendHeld(ws: WebSocket, deviceId: string): void {
		const held = this.store.assignedTo(deviceId);
		if (held.length === 0) return;
		this.ports.sockets.send(ws, 'assign', {
			chunks: held.map((c) => ({ jobId: c.jobId, chunk: c.idx, task: c.task, deadline: c.deadline ?? 0 }))
		});
	}

	/** The chunk assigned to this device, or a ProtocolError (never assigned, moved on, or replayed). */
	assignedChunk(deviceId: string, jobId: string, idx: number): ChunkRow {
		const chunk = this.store.chunk(jobId, idx);
		if (!chunk || chunk.status !== 'assigned' || chunk.deviceId !== deviceId) {
			throw new ProtocolError('not-assigned', `Chunk ${jobId}/${idx} is not assigned to this device.`);
		}
		return chunk;
	}

	/** Records a result; returns the device's total of accepted chunks. */
	complete(chunk: ChunkRow, deviceId: string, output: ChunkOutput, now: number): number {
		const problem = outputProblem(chunk.task, output);
		if (problem) throw new ProtocolError('bad-result', problem);
		const done = this.store.complete(chunk, output, answerContribution(output), now);
		this.store.recordChunkOutcome(deviceId, true, now);
		this.adjustInFlight(deviceId, -1);
		const job = this.store.job(chunk.jobId)!;
		if (done >= job.total && job.status === 'running') {
			this.store.finishJob(job.seq, 'done', now);
			const answer = this.store.jobViews().find((j) => j.id === job.id)?.answer;
			this.ports.log(
				'info',
				`Job ${job.id} done${answer !== null && answer !== undefined ? `: answer ${answer}` : ''}.`
			);
		}
		return this.store.device(deviceId)?.chunksDone ?? 0;
	}

	/**
	 * Back to the queue, or the job fails once the chunk has been tried MAX_ATTEMPTS times. `chunk` may be a
	 * stale copy (callers read a list, then requeue each; failing a job fails its other chunks): it is
	 * re-read, and nothing happens unless it is still assigned to the same device. Each chunk leaving a
	 * device lowers that device's in-flight count exactly once; the device that gave up (or timed out on)
	 * `chunk` is not told to drop it.
	 */
	requeue(stale: ChunkRow, reason: string, now: number): void {
		const chunk = this.store.chunk(stale.jobId, stale.idx);
		if (!chunk || chunk.status !== 'assigned' || chunk.deviceId !== stale.deviceId) return;
		if (chunk.attempts < MAX_ATTEMPTS) {
			if (this.store.requeue(chunk) && chunk.deviceId) this.adjustInFlight(chunk.deviceId, -1);
			return;
		}
		const error = `Chunk ${chunk.idx} failed ${chunk.attempts} times (last: ${reason}).`;
		this.store.finishJob(chunk.jobSeq, 'failed', now, error);
		for (const other of this.store.failJobChunks(chunk.jobSeq)) {
			if (!other.deviceId) continue;
			this.adjustInFlight(other.deviceId, -1);
			if (other.idx === chunk.idx) continue;
			this.ports.sockets.toDevice(other.deviceId, 'drop', { chunks: [{ jobId: other.jobId, chunk: other.idx }] });
		}
		this.ports.log('error', `Job ${chunk.jobId} failed: ${error}`);
	}

	/**
	 * Chunks past their deadline go to the queue (or fail their job), and the device that held each is told
	 * to drop it and charged a failure: run by the alarm.
	 */
	expireOverdue(now: number): void {
		for (const overdue of this.store.overdue(now)) {
			// Re-read: an earlier chunk in this loop may have failed the job (and with it this chunk).
			const chunk = this.store.chunk(overdue.jobId, overdue.idx);
			if (chunk?.status !== 'assigned' || chunk.deviceId !== overdue.deviceId) continue;
			const holder = chunk.deviceId ? this.store.device(chunk.deviceId) : null;
			if (chunk.deviceId) {
				this.store.recordChunkOutcome(chunk.deviceId, false, now);
				this.ports.sockets.toDevice(chunk.deviceId, 'drop', { chunks: [{ jobId: chunk.jobId, chunk: chunk.idx }] });
			}
			this.ports.log('warn', `Chunk ${chunk.jobId}/${chunk.idx} timed out on ${holder?.name || 'a device'}.`);
			this.requeue(chunk, 'timed out', now);
		}
	}

	private adjustInFlight(deviceId: string, delta: number): void {
		const candidate = this.cached?.get(deviceId);
		if (candidate) candidate.inFlight = Math.max(0, candidate.inFlight + delta);
	}
}
