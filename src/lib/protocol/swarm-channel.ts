import { z } from 'zod';
import { defineChannel, type ClientKind, type ClientMessage } from './channel';
import { deviceView, inviteTokenView, jobView, logLine, SCORE_MAX, throughputPoint } from './swarm';
import { chunkOutput, chunkTask } from './swarm-jobs';

/**
 * The swarm's channel: one contract for both kinds of socket the SwarmCoordinator serves, the devices'
 * (`/swarm/<id>/device/ws`) and the owner's dashboard (`/swarm/<id>/ws`). Client kinds are what either
 * sends, and CLIENT_ROLE says which of the two may send each: the coordinator answers a kind from the
 * other role with `forbidden`. Server kinds are everything either receives.
 */

/** Device frames carry at most one 64×64 tile (~5.5 KiB base64) plus framing; 16 KiB leaves headroom. */
export const SWARM_FRAME_MAX_BYTES = 16 * 1024;

const jobId = z.string().regex(/^[a-f0-9]{16}$/, 'Unknown job id.');
const chunkIndex = z.number().int().min(0).max(1_000_000);
const chunkRef = z.object({ jobId, chunk: chunkIndex });

export const swarmChannel = defineChannel({
	name: 'swarm',
	version: 1,
	client: {
		/** Device: its benchmark score (work units per second). */
		benchmark: { type: 1, schema: z.strictObject({ score: z.number().positive().max(SCORE_MAX) }) },
		/** Device: the output of a chunk it was assigned. */
		result: { type: 2, schema: z.strictObject({ jobId, chunk: chunkIndex, output: chunkOutput }) },
		/** Device: a chunk it could not compute. */
		'chunk-failed': {
			type: 3,
			schema: z.strictObject({ jobId, chunk: chunkIndex, error: z.string().max(200) })
		},
		/** Dashboard: every finished tile of a fractal job (dashboards that connect after it ran). */
		'job-image': { type: 16, schema: z.strictObject({ jobId }) },
		/** Dashboard: a full snapshot now (after creating an invite, or to time one in the bench). */
		refresh: { type: 17, schema: z.strictObject({}) }
	},
	server: {
		/** Device, on connect: who it is, and whether it must benchmark first. */
		welcome: {
			type: 1,
			schema: z.object({
				deviceId: z.string(),
				name: z.string(),
				swarmName: z.string(),
				score: z.number().nullable(),
				needsBenchmark: z.boolean()
			})
		},
		/** Device: chunks to compute, each with the deadline after which it is given to another device. */
		assign: {
			type: 2,
			schema: z.object({
				chunks: z.array(z.object({ jobId, chunk: chunkIndex, task: chunkTask, deadline: z.number().int() }))
			})
		},
		/** Device: chunks to stop working on (reassigned after a timeout, or their job failed). */
		drop: { type: 3, schema: z.object({ chunks: z.array(chunkRef) }) },
		/** Device: a result was accepted (echoes the result's request number); `done` is its total. */
		accepted: { type: 4, schema: chunkRef.extend({ done: z.number().int().min(0) }) },
		/**
		 * Dashboard: the swarm's state. Full snapshots replace the device list; deltas carry only the devices
		 * changed since the last broadcast, and the invites only when one changed.
		 */
		snapshot: {
			type: 16,
			schema: z.object({
				full: z.boolean(),
				at: z.number().int(),
				swarm: z.object({ id: z.string(), name: z.string() }),
				devices: z.array(deviceView),
				jobs: z.array(jobView),
				log: z.array(logLine),
				throughput: z.array(throughputPoint),
				invites: z.array(inviteTokenView).optional()
			})
		},
		/** Dashboard: one finished fractal tile, `pixels` as base64 bytes (one per pixel). */
		tile: {
			type: 17,
			schema: z.object({
				jobId,
				x: z.number().int().min(0),
				y: z.number().int().min(0),
				w: z.number().int().min(1),
				h: z.number().int().min(1),
				pixels: z.string()
			})
		}
	},
	/** not-assigned: a result for a chunk this device does not hold (moved on, or replayed); bad-result: wrong output. */
	errors: ['not-assigned', 'bad-result'],
	maxInboundBytes: SWARM_FRAME_MAX_BYTES
});
export type SwarmChannel = typeof swarmChannel;

export type SwarmRole = 'device' | 'dashboard';

/** Which socket may send each client kind (a kind added above without a role fails to compile). */
export const CLIENT_ROLE = {
	benchmark: 'device',
	result: 'device',
	'chunk-failed': 'device',
	'job-image': 'dashboard',
	refresh: 'dashboard'
} as const satisfies Record<ClientKind<SwarmChannel>, SwarmRole>;

type KindsOf<R extends SwarmRole> = {
	[K in keyof typeof CLIENT_ROLE]: (typeof CLIENT_ROLE)[K] extends R ? K : never;
}[keyof typeof CLIENT_ROLE];
/** The client messages a socket of `role` may send. */
export type SwarmClientMessage<R extends SwarmRole> = Extract<ClientMessage<SwarmChannel>, { type: KindsOf<R> }>;

/** Whether `message` is one a socket of `role` may send (the coordinator answers the others `forbidden`). */
export function sentBy<R extends SwarmRole>(
	message: ClientMessage<SwarmChannel>,
	role: R
): message is SwarmClientMessage<R> {
	return CLIENT_ROLE[message.type] === role;
}

type ServerOut<N extends keyof SwarmChannel['server']> = z.infer<SwarmChannel['server'][N]['schema']>;
export type SnapshotPayload = ServerOut<'snapshot'>;
export type TilePayload = ServerOut<'tile'>;
export type AssignedChunk = ServerOut<'assign'>['chunks'][number];
