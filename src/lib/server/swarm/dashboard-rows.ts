import type { Row } from '$lib/protocol/swarm-rows';
import { toRow } from '$lib/protocol/swarm-rows';
import {
	DASHBOARD_JOBS,
	DASHBOARD_LOG_LINES,
	DEVICE_COLUMNS,
	INVITE_COLUMNS,
	JOB_COLUMNS,
	LOG_COLUMNS,
	type KeyframeWire,
	type ThroughputWire
} from '$lib/protocol/swarm-dashboard';
import { BROADCAST_MS } from './lifecycle';
import type { SwarmStore } from './storage';

/** The throughput chart covers the last two minutes in broadcast-sized buckets. */
const THROUGHPUT_BUCKETS = 60;

/**
 * Everything the owner's dashboard shows at one moment, read from the coordinator's SQLite as wire rows
 * (swarm-dashboard.ts columns): a keyframe is this, a delta the difference of two (dashboard-delta.ts).
 * Devices are keyed by id in the order they joined.
 */
export interface DashboardRows {
	at: number;
	swarm: { id: string; name: string };
	devices: Map<string, Row>;
	jobs: Row[];
	/** The newest DASHBOARD_LOG_LINES lines, oldest first; a row's first value is its seq. */
	log: Row[];
	throughput: ThroughputWire;
	invites: Row[];
}

export function readDashboard(store: SwarmStore, now: number): DashboardRows {
	const devices = new Map<string, Row>();
	for (const device of store.deviceViews(store.inFlightByDevice()))
		devices.set(device.id, toRow(device, DEVICE_COLUMNS));
	return {
		at: now,
		swarm: { id: store.getMeta('swarmId') ?? '', name: store.getMeta('name') ?? '' },
		devices,
		jobs: store.jobViews(DASHBOARD_JOBS).map((job) => toRow(job, JOB_COLUMNS)),
		log: store.logSince(0, DASHBOARD_LOG_LINES).map((line) => toRow(line, LOG_COLUMNS)),
		throughput: throughputOf(store, now),
		invites: store.listTokens().map((invite) => toRow(invite, INVITE_COLUMNS))
	};
}

function throughputOf(store: SwarmStore, now: number): ThroughputWire {
	const end = Math.floor(now / BROADCAST_MS) * BROADCAST_MS;
	const from = end - (THROUGHPUT_BUCKETS - 1) * BROADCAST_MS;
	const counts = store.throughput(from, BROADCAST_MS);
	const chunks = Array.from({ length: THROUGHPUT_BUCKETS }, (_, i) => counts.get(from + i * BROADCAST_MS) ?? 0);
	return { from, bucketMs: BROADCAST_MS, chunks };
}

/**
 * The most JSON one dashboard frame carries. Devices describe themselves (name, GPU, user agent: up to
 * ~4 KiB of JSON each once escaped), so 2,000 of them can far exceed the codec's 1 MiB frame cap; a
 * typical 1,000-device swarm's keyframe is ~150 KB and stays one frame.
 */
export const FRAME_JSON_BYTES = 512 * 1024;

const utf8 = new TextEncoder();
export const jsonBytes = (value: unknown) => utf8.encode(JSON.stringify(value)).byteLength;

/**
 * The keyframe of `rows` at `tick`, as frames of at most `budget` bytes of JSON: the first holds everything
 * and as many devices as fit, the others only further devices, so no frame exceeds the codec's cap.
 */
export function keyframeParts(rows: DashboardRows, tick: number, budget = FRAME_JSON_BYTES): KeyframeWire[] {
	const { at, swarm, jobs, log, throughput, invites } = rows;
	const first = {
		tick,
		part: 0,
		parts: 1,
		at,
		swarm,
		devices: [...rows.devices.values()],
		jobs,
		log,
		throughput,
		invites
	};
	if (jsonBytes(first) <= budget) return [first];
	const parts: Row[][] = [[]];
	// The first frame's other fields bound every frame's (the others carry fewer).
	const overhead = jsonBytes({ ...first, devices: [] });
	let bytes = overhead;
	for (const device of rows.devices.values()) {
		const size = jsonBytes(device) + 1; // +1 for the comma
		if (parts.at(-1)!.length > 0 && bytes + size > budget) {
			parts.push([]);
			bytes = overhead;
		}
		parts.at(-1)!.push(device);
		bytes += size;
	}
	return parts.map((devices, part) =>
		part === 0
			? { ...first, parts: parts.length, devices }
			: { ...first, part, parts: parts.length, devices, jobs: [], log: [], invites: [] }
	);
}
