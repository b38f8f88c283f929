import type { ChunkOutput } from '$lib/protocol/swarm-jobs';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { answerContribution, outputProblem } from './jobs';
import { CHUNK_TIMEOUT_MS, MAX_ATTEMPTS } from './lifecycle';
import { allocate, deviceQuota, type Candidate } from './scheduler';
import type { ChunkRow, SwarmStore } from './storage';
import type { SwarmLog, SwarmSockets } from './swarm-sockets';
import { trustFactor, type TrustLedger } from './trust-ledger';
import type { Validator } from './validator';

/** What the dispatcher needs from the coordinator: its sockets, its log, and who handles a lost device. */
export interface DispatchPorts {
	sockets: SwarmSockets;
	log: SwarmLog;
	validator: Validator;
	trust: TrustLedger;
	/** A device picked for work turned out to have no socket. */
	lost(deviceId: string): void;
}

/** A result taken: the device's total of chunks computed, and the output if it decided its chunk. */
export interface Completion {
	done: number;
	accepted: ChunkOutput | null;
}

/**
 * The chunk life cycle inside the coordinator: hands out pending replicas by weight within quotas (never
 * two of one chunk to one device), takes results to the validator's vote, requeues or fails chunks. The
 * pool of schedulable devices (scores, quotas, in-flight counts) is cached in memory and rebuilt from
 * storage when devices join, leave, re-benchmark, lose trust or change their lending, or after the object
 * restarts, so a result does not re-read every device.
 */
export class Dispatcher {
	private cached: Map<string, Candidate> | null = null;

	constructor(
		private readonly store: SwarmStore,
		private readonly ports: DispatchPorts
	) {}

	/** Scores, trust, lending or membership changed: recompute quotas on next use. */
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
				{
					id: d.id,
					score: d.score,
					inFlight: inFlight.get(d.id) ?? 0,
					quota: deviceQuota(d.score, maxScore, trustFactor(d.votesWon, d.votesLost), d.slots)
				}
			])
		);
		return this.cached;
	}

	/**
	 * Hands pending replicas to online benchmarked devices with free slots, weighted by score. A replica a
	 * device may not take (it computed that chunk already) stays for another: when the weighted split left
	 * some unassigned, devices with slots still free get what they may take, fastest first.
	 */
	assignPending(now: number): number {
		const pool = this.pool();
		let free = 0;
		for (const c of pool.values()) free += Math.max(0, c.quota - c.inFlight);
		const available = this.store.pendingCount(free);
		if (available === 0) return 0;
		let assigned = 0;
		for (const [deviceId, count] of allocate(available, [...pool.values()])) {
			assigned += this.give(deviceId, count, now);
		}
		if (assigned < available) {
			const open = [...pool.values()].filter((c) => c.quota > c.inFlight).sort((a, b) => b.score - a.score);
			for (const c of open) {
				if (assigned >= available) break;
				assigned += this.give(c.id, Math.min(c.quota - c.inFlight, available - assigned), now);
			}
		}
		this.store.bump('assignments', assigned);
		return assigned;
	}

	/** Up to `count` replicas this device may take, in one assign frame; answers how many it got. */
	private give(deviceId: string, count: number, now: number): number {
		const ws = this.ports.sockets.devices(deviceId)[0];
		if (!ws) {
			// Its chunks stay pending; the pool is rebuilt without it.
			this.ports.lost(deviceId);
			return 0;
		}
		// Assigned one device at a time, so the next device's query no longer sees these as pending.
		const batch = this.store.pendingFor(deviceId, count);
		if (batch.length === 0) return 0;
		const deadline = now + CHUNK_TIMEOUT_MS;
		for (const chunk of batch) this.store.assign(chunk, deviceId, deadline);
		this.adjustInFlight(deviceId, batch.length);
		this.ports.sockets.send(ws, 'assign', {
			chunks: batch.map((c) => ({ jobId: c.jobId, chunk: c.unit, task: c.task, deadline }))
		});
		return batch.length;
	}

	/**
	 * A device reconnected: re-send the chunks it still holds with their attempts and deadlines unchanged,
	 * so reconnecting neither uses up retries nor holds a chunk past its original deadline.
	 */
	resendHeld(ws: WebSocket, deviceId: string): void {
		const held = this.store.assignedTo(deviceId);
		if (held.length === 0) return;
		this.ports.sockets.send(ws, 'assign', {
			chunks: held.map((c) => ({ jobId: c.jobId, chunk: c.unit, task: c.task, deadline: c.deadline ?? 0 }))
		});
	}

	/** The replica of chunk `unit` assigned to this device, or a ProtocolError (never assigned, moved on, or replayed). */
	assignedChunk(deviceId: string, jobId: string, unit: number): ChunkRow {
		const chunk = this.store.heldChunk(jobId, unit, deviceId);
		if (!chunk) throw new ProtocolError('not-assigned', `Chunk ${jobId}/${unit} is not assigned to this device.`);
		return chunk;
	}

	/** Takes a result to the vote and acts on the verdict. */
	complete(chunk: ChunkRow, deviceId: string, output: ChunkOutput, cpuMs: number, now: number): Completion {
		const problem = outputProblem(chunk.task, output);
		if (problem) throw new ProtocolError('bad-result', problem);
		this.store.recordChunkOutcome(deviceId, true, now, cpuMs);
		this.adjustInFlight(deviceId, -1);
		const job = this.store.jobBySeq(chunk.jobSeq)!;
		const verdict = this.ports.validator.report(chunk, job.k, output, answerContribution(output), now);
		const done = this.store.device(deviceId)?.chunksDone ?? 0;
		if (verdict.kind === 'waiting') return { done, accepted: null };
		if (verdict.kind === 'disagreement') {
			this.ports.log(
				'warn',
				`Chunk ${job.id}/${chunk.unit}: ${verdict.versions} different results; sent to ${verdict.issued} more device(s).`
			);
			return { done, accepted: null };
		}
		if (verdict.kind === 'unresolvable') {
			this.endJob(chunk.jobSeq, 'failed', now, `Chunk ${chunk.unit}: ${verdict.reason}.`);
			return { done, accepted: null };
		}
		for (const open of verdict.open) {
			if (open.status !== 'assigned' || !open.deviceId) continue;
			this.adjustInFlight(open.deviceId, -1);
			this.ports.sockets.toDevice(open.deviceId, 'drop', { chunks: [{ jobId: job.id, chunk: chunk.unit }] });
		}
		for (const quarantined of this.ports.trust.settle(verdict.winners, verdict.losers)) this.withdraw(quarantined, now);
		// An outvoted device's quota shrank: the cached pool must not hand it chunks at its old one.
		if (verdict.losers.length > 0) this.invalidate();
		if (verdict.done >= job.total && (job.status === 'running' || job.status === 'paused')) {
			this.store.finishJob(job.seq, 'done', now);
			const answer = this.store.jobViews().find((j) => j.id === job.id)?.answer;
			this.ports.log(
				'info',
				`Job ${job.id} done${answer !== null && answer !== undefined ? `: answer ${answer}` : ''}.`
			);
		}
		return { done, accepted: output };
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
		this.endJob(
			chunk.jobSeq,
			'failed',
			now,
			`Chunk ${chunk.unit} failed ${chunk.attempts} times (last: ${reason}).`,
			chunk
		);
	}

	/**
	 * Ends a job (failed, or cancelled by its owner): every replica still out is dropped on its device, which
	 * frees it for other work, except `spare`, the one whose device gave up on it. Chunks already decided stay.
	 */
	endJob(jobSeq: number, status: 'failed' | 'cancelled', now: number, error: string | null, spare?: ChunkRow): void {
		const job = this.store.jobBySeq(jobSeq);
		if (!job) return;
		this.store.finishJob(jobSeq, status, now, error);
		for (const other of this.store.failJobChunks(jobSeq, status === 'failed' ? 'failed' : 'dropped')) {
			if (!other.deviceId) continue;
			this.adjustInFlight(other.deviceId, -1);
			if (spare && other.idx === spare.idx) continue;
			this.ports.sockets.toDevice(other.deviceId, 'drop', { chunks: [{ jobId: other.jobId, chunk: other.unit }] });
		}
		if (status === 'failed') this.ports.log('error', `Job ${job.id} failed: ${error}`);
		else this.ports.log('warn', `Job ${job.id} cancelled: its devices dropped its chunks.`);
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
				this.ports.sockets.toDevice(chunk.deviceId, 'drop', { chunks: [{ jobId: chunk.jobId, chunk: chunk.unit }] });
			}
			this.ports.log('warn', `Chunk ${chunk.jobId}/${chunk.unit} timed out on ${holder?.name || 'a device'}.`);
			this.requeue(chunk, 'timed out', now);
		}
	}

	/**
	 * A device stops taking work (quarantined, or its person paused lending): the chunks it holds go back to
	 * the queue at once, and it is told to drop them (a quarantined device's late answers are not wanted).
	 */
	withdraw(deviceId: string, now: number): void {
		const held = this.store.assignedTo(deviceId);
		for (const chunk of held) this.requeue(chunk, 'withdrawn', now);
		if (held.length > 0) {
			this.ports.sockets.toDevice(deviceId, 'drop', {
				chunks: held.map((c) => ({ jobId: c.jobId, chunk: c.unit }))
			});
		}
		this.invalidate();
	}

	private adjustInFlight(deviceId: string, delta: number): void {
		const candidate = this.cached?.get(deviceId);
		if (candidate) candidate.inFlight = Math.max(0, candidate.inFlight + delta);
	}
}
