import type { DeviceView, InviteTokenView, JobView, LogLine, ThroughputPoint } from '$lib/protocol/swarm';
import { DASHBOARD_LOG_LINES, type DeltaPayload, type KeyframePayload } from '$lib/protocol/swarm-dashboard';

/** What a dashboard knows of its swarm: a keyframe sets it, each delta moves it one tick. */
export interface DashboardModel {
	/** The coordinator's clock at the last frame applied. */
	at: number;
	swarm: { id: string; name: string } | null;
	devices: Map<string, DeviceView>;
	/** The newest jobs, newest first. */
	jobs: JobView[];
	log: LogLine[];
	throughput: ThroughputPoint[];
	invites: InviteTokenView[];
}

export function emptyModel(): DashboardModel {
	return { at: 0, swarm: null, devices: new Map(), jobs: [], log: [], throughput: [], invites: [] };
}

/** applied: the model moved; ignored: a frame from before the model's tick, or while waiting for a keyframe; gap: see DashboardStream. */
export type Outcome = 'applied' | 'ignored' | 'gap';

/**
 * The browser's reducer of the dashboard stream (swarm-dashboard.ts): applies keyframes and deltas to a
 * model and keeps the stream's position. A delta that does not follow the model's tick, or that names a
 * device or job the model does not hold, is a gap: the model is stale, so the stream asks the coordinator
 * for a keyframe (once) and ignores deltas until it arrives. A socket that (re)opens starts over: the
 * coordinator's first frame on it is a keyframe.
 */
export class DashboardStream {
	/** The tick the model is at; null until a whole keyframe has arrived, and after a gap. */
	private tick: number | null = null;
	/** A keyframe in several parts: its tick and the next part expected. */
	private partial: { tick: number; next: number; parts: number } | null = null;

	constructor(
		private readonly model: DashboardModel,
		private readonly askForKeyframe: () => void
	) {}

	get position(): number | null {
		return this.tick;
	}

	reset(): void {
		this.tick = null;
		this.partial = null;
	}

	keyframe(k: KeyframePayload): Outcome {
		const m = this.model;
		if (k.part === 0) {
			m.devices.clear();
			m.at = k.at;
			m.swarm = k.swarm;
			m.jobs = k.jobs;
			m.log = k.log;
			m.throughput = k.throughput;
			m.invites = k.invites;
			this.partial = { tick: k.tick, next: 0, parts: k.parts };
		} else if (!this.partial || this.partial.tick !== k.tick || this.partial.next !== k.part) {
			return this.gap();
		}
		for (const device of k.devices) m.devices.set(device.id, device);
		this.partial.next++;
		if (this.partial.next < this.partial.parts) {
			this.tick = null;
			return 'ignored';
		}
		this.partial = null;
		this.tick = k.tick;
		return 'applied';
	}

	delta(d: DeltaPayload): Outcome {
		if (this.tick === null || d.tick <= this.tick) return 'ignored';
		if (d.tick !== this.tick + 1 || !applyDelta(this.model, d)) return this.gap();
		this.tick = d.tick;
		return 'applied';
	}

	private gap(): Outcome {
		this.reset();
		this.askForKeyframe();
		return 'gap';
	}
}

/** Applies one delta; false when it names a device or job the model lacks (the model is not its base). */
function applyDelta(m: DashboardModel, d: DeltaPayload): boolean {
	m.at = d.at;
	if (d.swarm) m.swarm = d.swarm;
	for (const id of d.devices?.drop ?? []) m.devices.delete(id);
	for (const device of d.devices?.add ?? []) m.devices.set(device.id, device);
	for (const { id, set } of d.devices?.set ?? []) {
		const device = m.devices.get(id);
		if (!device) return false;
		m.devices.set(id, { ...device, ...set });
	}
	if (d.jobs && !applyJobs(m, d.jobs)) return false;
	if (d.log?.length) {
		const last = m.log.at(-1)?.seq ?? 0;
		m.log = [...m.log, ...d.log.filter((line) => line.seq > last)].slice(-DASHBOARD_LOG_LINES);
	}
	if (d.throughput) m.throughput = d.throughput;
	if (d.invites) m.invites = d.invites;
	return true;
}

function applyJobs(m: DashboardModel, jobs: NonNullable<DeltaPayload['jobs']>): boolean {
	const byId = new Map(m.jobs.map((job) => [job.id, job]));
	for (const job of jobs.add ?? []) byId.set(job.id, job);
	for (const { id, set } of jobs.set ?? []) {
		const job = byId.get(id);
		if (!job) return false;
		byId.set(id, { ...job, ...set });
	}
	const order = jobs.order ?? m.jobs.map((job) => job.id);
	const list = order.map((id) => byId.get(id));
	if (list.some((job) => job === undefined)) return false;
	m.jobs = list as JobView[];
	return true;
}
