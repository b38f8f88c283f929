import { rowChange, type Row, type RowChange } from '$lib/protocol/swarm-rows';
import type { DeltaWire } from '$lib/protocol/swarm-dashboard';
import type { DashboardRows } from './dashboard-rows';

/**
 * The delta that turns what dashboards hold (`base`, the last broadcast) into `now`: the devices that
 * joined, changed (only their changed columns) or were deleted, the jobs likewise (with their order when
 * the list changed), the lines logged since, and the throughput, invites and swarm only if they changed.
 * Rows are compared value by value, so a row whose revision moved without a change it shows sends
 * nothing, and whatever moves a figure without a revision (a chunk leaving a device when its job is
 * cancelled, a cleanup deleting a row: readDashboard) is still sent.
 */
export function deltaBetween(base: DashboardRows, now: DashboardRows, tick: number): DeltaWire {
	const delta: DeltaWire = { tick, at: now.at };
	if (!sameJson(base.swarm, now.swarm)) delta.swarm = now.swarm;
	const devices = deviceChanges(base.devices, now.devices);
	if (devices) delta.devices = devices;
	const jobs = jobChanges(base.jobs, now.jobs);
	if (jobs) delta.jobs = jobs;
	const lastSeq = Number(base.log.at(-1)?.[0] ?? 0);
	const log = now.log.filter((line) => Number(line[0]) > lastSeq);
	if (log.length > 0) delta.log = log;
	if (!sameJson(base.throughput, now.throughput)) delta.throughput = now.throughput;
	if (!sameJson(base.invites, now.invites)) delta.invites = now.invites;
	return delta;
}

function deviceChanges(base: Map<string, Row>, now: Map<string, Row>): DeltaWire['devices'] {
	const add: Row[] = [];
	const set: RowChange[] = [];
	const drop: string[] = [];
	for (const [id, row] of now) {
		const before = base.get(id);
		// readDashboard keeps the very row of every device that did not change: nothing to compare.
		if (before === row) continue;
		const change = before ? rowChange(before, row) : null;
		if (!before) add.push(row);
		else if (change) set.push(change);
	}
	for (const id of base.keys()) if (!now.has(id)) drop.push(id);
	if (add.length + set.length + drop.length === 0) return undefined;
	return { ...(add.length ? { add } : {}), ...(set.length ? { set } : {}), ...(drop.length ? { drop } : {}) };
}

function jobChanges(base: Row[], now: Row[]): DeltaWire['jobs'] {
	const before = new Map(base.map((row) => [String(row[0]), row]));
	const add: Row[] = [];
	const set: RowChange[] = [];
	for (const row of now) {
		const old = before.get(String(row[0]));
		const change = old ? rowChange(old, row) : null;
		if (!old) add.push(row);
		else if (change) set.push(change);
	}
	const order = now.map((row) => String(row[0]));
	const reordered = !sameJson(
		base.map((row) => row[0]),
		order
	);
	if (add.length + set.length === 0 && !reordered) return undefined;
	return { ...(add.length ? { add } : {}), ...(set.length ? { set } : {}), ...(reordered ? { order } : {}) };
}

function sameJson(a: unknown, b: unknown): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}
