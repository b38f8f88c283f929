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
	/** The device revision the rows were read up to (SwarmStore.currentRev). */
	rev: number;
	jobs: Row[];
	/** The newest DASHBOARD_LOG_LINES lines, oldest first; a row's first value is its seq. */
	log: Row[];
	throughput: ThroughputWire;
	invites: Row[];
}

const IN_FLIGHT = DEVICE_COLUMNS.indexOf('inFlight');

/**
 * The dashboard's state now. Given `base`, the state of the last broadcast, only the device rows changed
 * since it are read (a few of a thousand, where reading every row costs most of a broadcast), and every
 * row's in-flight count, which is derived from the chunks and has no revision, is brought up to date; if
 * rows were deleted meanwhile (the rows no longer add up to the table's count), every row is read.
 */
export function readDashboard(store: SwarmStore, now: number, base: DashboardRows | null = null): DashboardRows {
	const inFlight = store.inFlightByDevice();
	const rev = store.currentRev();
	return {
		at: now,
		swarm: { id: store.getMeta('swarmId') ?? '', name: store.getMeta('name') ?? '' },
		devices: (base && changedSince(store, base, inFlight)) ?? allDevices(store, inFlight),
		rev,
		jobs: store.jobViews(DASHBOARD_JOBS).map((job) => toRow(job, JOB_COLUMNS)),
		log: store.logSince(0, DASHBOARD_LOG_LINES).map((line) => toRow(line, LOG_COLUMNS)),
		throughput: throughputOf(store, now),
		invites: store.listTokens().map((invite) => toRow(invite, INVITE_COLUMNS))
	};
}

function allDevices(store: SwarmStore, inFlight: Map<string, number>): Map<string, Row> {
	const devices = new Map<string, Row>();
	for (const row of store.deviceRows(inFlight)) devices.set(String(row[0]), row);
	return devices;
}

/** `base`'s devices with the rows changed since and today's in-flight counts (base's rows are not touched), or null. */
function changedSince(store: SwarmStore, base: DashboardRows, inFlight: Map<string, number>) {
	const devices = new Map(base.devices);
	for (const [id, row] of devices) {
		const count = inFlight.get(id) ?? 0;
		if (row[IN_FLIGHT] === count) continue;
		const updated = [...row];
		updated[IN_FLIGHT] = count;
		devices.set(id, updated);
	}
	for (const row of store.deviceRows(inFlight, base.rev)) devices.set(String(row[0]), row);
	return devices.size === store.countDevices() ? devices : null;
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
