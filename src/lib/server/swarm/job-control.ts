import { customJob, jobSpec, type ChunkTask, type CustomSummary, type JobSpec } from '$lib/protocol/swarm-jobs';
import { canonicalJson } from '$lib/protocol/canonical-json';
import { randomHex } from './credentials';
import type { Dispatcher } from './dispatcher';
import { customTasks, splitJob } from './jobs';
import type { SwarmStore } from './storage';
import type { SwarmLog } from './swarm-sockets';
import type { RpcResult } from './tokens';

/** Running (or paused) jobs per swarm, so one owner cannot queue unbounded work. */
export const MAX_RUNNING_JOBS = 5;

export type JobAction = 'pause' | 'resume' | 'cancel';

/** What the owner's dashboard downloads to merge a custom job: its module, input and accepted results. */
export interface JobOutput {
	jobId: string;
	status: string;
	code: string;
	input: unknown;
	/** One per chunk in chunk order, once every chunk is decided (else only the decided ones, in order). */
	results: unknown[];
	total: number;
}

/**
 * The owner's side of jobs: submitting one (built-in spec, or a custom job with its compiled module),
 * pausing, resuming and cancelling it, and reading a custom job's results for the download.
 */
export class JobControl {
	constructor(
		private readonly store: SwarmStore,
		private readonly dispatch: Dispatcher,
		private readonly log: SwarmLog
	) {}

	submit(spec: unknown, now: number): RpcResult<{ jobId: string; chunks: number }> {
		const custom = isCustom(spec);
		const parsed = custom ? customJob.safeParse(spec) : jobSpec.safeParse(spec);
		if (!parsed.success) {
			return { ok: false, status: 400, code: 'bad-job', message: parsed.error.issues[0]?.message ?? 'Bad job.' };
		}
		if (this.store.runningJobs() >= MAX_RUNNING_JOBS) {
			const message = `At most ${MAX_RUNNING_JOBS} jobs can run at once.`;
			return { ok: false, status: 409, code: 'too-many-jobs', message };
		}
		const jobId = randomHex(8);
		let tasks: ChunkTask[];
		let summary: JobSpec | CustomSummary;
		if (parsed.data.kind === 'custom') {
			const job = parsed.data;
			tasks = customTasks(job);
			summary = { kind: 'custom', title: job.title, k: job.k, chunks: tasks.length, timeLimitMs: job.timeLimitMs };
			this.store.insertJob(jobId, summary, tasks, now, { k: job.k, code: job.code, input: canonicalJson(job.input) });
		} else {
			summary = parsed.data;
			tasks = splitJob(parsed.data);
			this.store.insertJob(jobId, summary, tasks, now);
		}
		this.store.pruneJobs();
		const what = summary.kind === 'custom' ? `“${summary.title}”, k = ${summary.k}` : summary.kind;
		this.log('info', `Job ${jobId} (${what}) submitted: ${tasks.length} chunks.`);
		return { ok: true, value: { jobId, chunks: tasks.length } };
	}

	/** Pause: no new chunks go out (results of those out still count). Resume. Cancel: devices drop its chunks. */
	control(jobId: string, action: JobAction, now: number): RpcResult<{ status: string }> {
		const job = this.store.job(jobId);
		if (!job) return { ok: false, status: 404, code: 'not-found', message: 'No such job.' };
		const live = job.status === 'running' || job.status === 'paused';
		if (!live) return { ok: false, status: 409, code: 'job-finished', message: `The job is ${job.status} already.` };
		if (action === 'cancel') {
			this.dispatch.endJob(job.seq, 'cancelled', now, null);
			this.dispatch.invalidate();
			return { ok: true, value: { status: 'cancelled' } };
		}
		const status = action === 'pause' ? 'paused' : 'running';
		if (job.status !== status) {
			this.store.setJobStatus(job.seq, status);
			this.log('info', `Job ${jobId} ${action === 'pause' ? 'paused' : 'resumed'}.`);
		}
		return { ok: true, value: { status } };
	}

	output(jobId: string): RpcResult<JobOutput> {
		const parts = this.store.customParts(jobId);
		const job = this.store.job(jobId);
		if (!parts || !job) return { ok: false, status: 404, code: 'not-found', message: 'No such custom job.' };
		return {
			ok: true,
			value: {
				jobId,
				status: job.status,
				code: parts.code,
				input: JSON.parse(parts.input) as unknown,
				results: this.store.acceptedOutputs(parts.seq).map((text) => JSON.parse(text) as unknown),
				total: job.total
			}
		};
	}
}

function isCustom(spec: unknown): boolean {
	return (
		typeof spec === 'object' &&
		spec !== null &&
		Object.hasOwn(spec, 'kind') &&
		(spec as { kind: unknown }).kind === 'custom'
	);
}
