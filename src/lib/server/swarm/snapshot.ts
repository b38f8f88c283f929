import type { DeviceView, ThroughputPoint } from '$lib/protocol/swarm';
import type { SnapshotPayload, TilePayload } from '$lib/protocol/swarm-channel';
import { BROADCAST_MS, FULL_SNAPSHOT_EVERY } from './lifecycle';
import { BROADCAST_REV, INVITES_REV, type SwarmStore } from './storage';

/** The throughput chart covers the last two minutes in broadcast-sized buckets. */
const THROUGHPUT_BUCKETS = 60;
/** Log lines in a full snapshot (the store keeps more). */
const SNAPSHOT_LOG_LINES = 100;
/** Jobs shown on the dashboard. */
const SNAPSHOT_JOBS = 10;
/** Counter holding the invite revision last sent to dashboards. */
const BROADCAST_INVITES_REV = 'broadcast.invitesRev';

export interface SnapshotContext {
	now: number;
	/** Full: every device and recent log lines (new dashboard, or periodically); else changes since the last broadcast. */
	full: boolean;
	swarmId: string;
	name: string;
}

/**
 * Builds a dashboard snapshot. Deltas carry only devices whose revision moved since the last broadcast, log
 * lines after the last one sent, and the invite list only if an invite changed (a join uses one), so a
 * 1,000-device swarm does not resend every row every 2 s. A full snapshot for a single new dashboard does
 * not move the broadcast cursors.
 */
export function buildSnapshot(store: SwarmStore, ctx: SnapshotContext, advanceCursor = false): SnapshotPayload {
	const sinceRev = ctx.full ? 0 : store.counter(BROADCAST_REV);
	const log = ctx.full
		? store.logSince(0, SNAPSHOT_LOG_LINES)
		: store.logSince(store.counter('broadcast.logSeq'), SNAPSHOT_LOG_LINES);
	const invitesChanged = store.counter(INVITES_REV) !== store.counter(BROADCAST_INVITES_REV);
	const snapshot: SnapshotPayload = {
		full: ctx.full,
		at: ctx.now,
		swarm: { id: ctx.swarmId, name: ctx.name },
		devices: store.deviceViews(store.inFlightByDevice(), sinceRev),
		jobs: store.jobViews(SNAPSHOT_JOBS),
		log,
		throughput: throughputSeries(store, ctx.now),
		...(ctx.full || invitesChanged ? { invites: store.listTokens() } : {})
	};
	if (advanceCursor) {
		store.setCounter(BROADCAST_REV, store.currentRev());
		store.setCounter('broadcast.logSeq', store.lastLogSeq());
		store.setCounter(BROADCAST_INVITES_REV, store.counter(INVITES_REV));
		store.bump('broadcast.tick');
	}
	return snapshot;
}

/**
 * The most JSON one snapshot frame carries. Devices describe themselves (name, GPU, user agent: up to
 * ~4 KiB of JSON each once escaped), so 2,000 of them can far exceed the codec's 1 MiB frame cap; a
 * typical 1,000-device swarm is ~240 KB and stays one frame.
 */
export const SNAPSHOT_FRAME_BYTES = 512 * 1024;

const utf8 = new TextEncoder();
const jsonBytes = (value: unknown) => utf8.encode(JSON.stringify(value)).byteLength;

/**
 * A snapshot as frames of at most `budget` bytes of JSON: the first is the snapshot with as many devices
 * as fit; the rest are deltas holding only further devices (no log lines, no invites), which the
 * dashboard merges into the table the first one set — so no frame ever exceeds the codec's cap.
 */
export function splitSnapshot(snapshot: SnapshotPayload, budget = SNAPSHOT_FRAME_BYTES): SnapshotPayload[] {
	if (jsonBytes(snapshot) <= budget) return [snapshot];
	const { devices, ...rest } = snapshot;
	const parts: DeviceView[][] = [[]];
	// The first frame's fields besides devices bound every frame's (the others carry fewer).
	let bytes = jsonBytes({ ...rest, devices: [] });
	for (const device of devices) {
		const size = jsonBytes(device) + 1; // +1 for the comma
		if (parts.at(-1)!.length > 0 && bytes + size > budget) {
			parts.push([]);
			bytes = jsonBytes({ ...rest, devices: [] });
		}
		parts.at(-1)!.push(device);
		bytes += size;
	}
	const { invites: _invites, ...withoutInvites } = rest;
	return parts.map((part, i) =>
		i === 0 ? { ...rest, devices: part } : { ...withoutInvites, full: false, log: [], devices: part }
	);
}

/** Every FULL_SNAPSHOT_EVERY-th broadcast is full. */
export function shouldSendFull(store: SwarmStore): boolean {
	return store.counter('broadcast.tick') % FULL_SNAPSHOT_EVERY === 0;
}

function throughputSeries(store: SwarmStore, now: number): ThroughputPoint[] {
	const end = Math.floor(now / BROADCAST_MS) * BROADCAST_MS;
	const start = end - (THROUGHPUT_BUCKETS - 1) * BROADCAST_MS;
	const counts = store.throughput(start, BROADCAST_MS);
	return Array.from({ length: THROUGHPUT_BUCKETS }, (_, i) => {
		const at = start + i * BROADCAST_MS;
		return { at, chunks: counts.get(at) ?? 0 };
	});
}

/** Every finished tile of a fractal job, for a dashboard that connected after they were painted. */
export function tileFrames(store: SwarmStore, jobId: string): TilePayload[] {
	return store
		.tiles(jobId)
		.flatMap(({ task, pixels }) =>
			task.kind === 'mandelbrot' ? [{ jobId, x: task.x, y: task.y, w: task.w, h: task.h, pixels }] : []
		);
}
