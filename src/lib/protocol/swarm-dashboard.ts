import { z } from 'zod';
import { deviceView, inviteTokenView, jobView, logLine, type ThroughputPoint } from './swarm';
import { DEVICE_COLUMNS, INVITE_COLUMNS, JOB_COLUMNS, LOG_COLUMNS } from './swarm-columns';
import { rowChangeSchema, rowSchema } from './swarm-rows';

export { DEVICE_COLUMNS, INVITE_COLUMNS, JOB_COLUMNS, LOG_COLUMNS };

/**
 * The owner's dashboard stream, as the swarm channel carries it (swarm-channel.ts): a keyframe holds the
 * whole state, a delta what changed since the broadcast before it. Every frame has the stream's `tick`:
 * a delta turns the state of tick − 1 into that of its tick, so a dashboard that sees a tick jump knows it
 * missed one and asks for a keyframe (the browser's reducer: $lib/swarm/dashboard-stream.ts). Records go
 * out as column tuples (swarm-rows.ts, in swarm-columns.ts order).
 */

/** Log lines a dashboard holds: a keyframe's, and after deltas the newest this many. */
export const DASHBOARD_LOG_LINES = 100;
/** Jobs a dashboard lists: the newest. */
export const DASHBOARD_JOBS = 10;

const count = z.number().int().min(0);
const tick = z.number().int().min(1);
const deviceRow = rowSchema(deviceView, DEVICE_COLUMNS);
const jobRow = rowSchema(jobView, JOB_COLUMNS);
const inviteRow = rowSchema(inviteTokenView, INVITE_COLUMNS);
const logRow = rowSchema(logLine, LOG_COLUMNS);
const swarmName = z.object({ id: z.string(), name: z.string() });

/** The throughput chart as bucket counts from `from`, each `bucketMs` wide → its points. */
const throughput = z
	.object({ from: count, bucketMs: z.number().int().min(1), chunks: z.array(count).max(1000) })
	.transform(({ from, bucketMs, chunks }): ThroughputPoint[] =>
		chunks.map((n, i) => ({ at: from + i * bucketMs, chunks: n }))
	);
export type ThroughputWire = z.input<typeof throughput>;

/**
 * The whole state at `tick`. One too big for a frame comes as `parts` frames of the same tick, in order:
 * the first carries everything and as many devices as fit, the others only further devices (their other
 * lists empty).
 */
export const keyframe = z
	.object({
		tick,
		part: count,
		parts: z.number().int().min(1),
		at: count,
		swarm: swarmName,
		devices: z.array(deviceRow),
		jobs: z.array(jobRow).max(DASHBOARD_JOBS),
		log: z.array(logRow).max(DASHBOARD_LOG_LINES),
		throughput,
		invites: z.array(inviteRow)
	})
	.refine((k) => k.part < k.parts, 'A keyframe part past its count.');

/** What changed from tick − 1 to `tick`; a field is absent when nothing in it changed. */
export const delta = z.object({
	tick,
	at: count,
	swarm: swarmName.optional(),
	/** Devices that joined (whole rows), changed (their changed columns) or were deleted by cleanup. */
	devices: z
		.object({
			add: z.array(deviceRow).optional(),
			set: z.array(rowChangeSchema(deviceView, DEVICE_COLUMNS)).optional(),
			drop: z.array(z.string()).optional()
		})
		.optional(),
	/** Jobs added (whole rows) or changed; `order` is the list's ids, newest first, whenever they changed. */
	jobs: z
		.object({
			add: z.array(jobRow).max(DASHBOARD_JOBS).optional(),
			set: z.array(rowChangeSchema(jobView, JOB_COLUMNS)).max(DASHBOARD_JOBS).optional(),
			order: z.array(z.string()).max(DASHBOARD_JOBS).optional()
		})
		.optional(),
	/** Lines logged since (at most DASHBOARD_LOG_LINES, the newest). */
	log: z.array(logRow).max(DASHBOARD_LOG_LINES).optional(),
	throughput: throughput.optional(),
	/** The whole invite list, when an invite changed (created, used, revoked, deleted). */
	invites: z.array(inviteRow).optional()
});

export type KeyframePayload = z.output<typeof keyframe>;
export type DeltaPayload = z.output<typeof delta>;
/** What the coordinator sends (rows as tuples). */
export type KeyframeWire = z.input<typeof keyframe>;
export type DeltaWire = z.input<typeof delta>;
