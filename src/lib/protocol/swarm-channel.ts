import { z } from 'zod';
import { defineChannel, type ClientKind, type ClientMessage } from './channel';
import { SCORE_MAX } from './swarm';
import { delta, keyframe } from './swarm-dashboard';
import { chunkOutput, chunkTask, CUSTOM_CODE_MAX_BYTES } from './swarm-jobs';

/**
 * The swarm's channel: one contract for both kinds of socket the SwarmCoordinator serves, the devices'
 * (`/swarm/<id>/device/ws`) and the owner's dashboard (`/swarm/<id>/ws`). Client kinds are what either
 * sends, and CLIENT_ROLE says which of the two may send each: the coordinator answers a kind from the
 * other role with `forbidden`. Server kinds are everything either receives.
 */

/**
 * Device frames carry at most one result: a 64×64 tile (~5.5 KiB base64) or a custom job's result
 * (CUSTOM_RESULT_MAX_BYTES, 32 KiB) plus framing; 40 KiB leaves headroom.
 */
export const SWARM_FRAME_MAX_BYTES = 40 * 1024;
/** CPU time a runner may report for one chunk: more than any chunk's deadline is a lie. */
export const CPU_MS_MAX = 10 * 60_000;

const jobId = z.string().regex(/^[a-f0-9]{16}$/, 'Unknown job id.');
const chunkIndex = z.number().int().min(0).max(1_000_000);
const chunkRef = z.object({ jobId, chunk: chunkIndex });

export const swarmChannel = defineChannel({
	name: 'swarm',
	// 2: results carry cpuMs, device and job views grew (votes, trust, lending, pause/cancel), job-code, lending.
	// 3: the dashboard's snapshot became a stream of keyframes and deltas with ticks, records as column tuples.
	version: 3,
	client: {
		/** Device: its benchmark score (work units per second). */
		benchmark: { type: 1, schema: z.strictObject({ score: z.number().positive().max(SCORE_MAX) }) },
		/** Device: the output of a chunk it was assigned, and the CPU time its worker spent on it. */
		result: {
			type: 2,
			schema: z.strictObject({
				jobId,
				chunk: chunkIndex,
				output: chunkOutput,
				cpuMs: z.number().min(0).max(CPU_MS_MAX).optional()
			})
		},
		/** Device: a chunk it could not compute. */
		'chunk-failed': {
			type: 3,
			schema: z.strictObject({ jobId, chunk: chunkIndex, error: z.string().max(200) })
		},
		/** Device: the compiled module of a custom job it holds chunks of (answered with job-code). */
		'job-code': { type: 4, schema: z.strictObject({ jobId }) },
		/**
		 * Device: what the person lends. `paused`: no chunks at all (those held go back to the queue, the
		 * page stopped them); `slots`: chunks it runs at once (its core cap, at most its cores).
		 */
		lending: { type: 5, schema: z.strictObject({ paused: z.boolean(), slots: z.number().int().min(1).max(1024) }) },
		/** Dashboard: every finished tile of a fractal job (dashboards that connect after it ran). */
		'job-image': { type: 16, schema: z.strictObject({ jobId }) },
		/**
		 * Dashboard: a keyframe now (it missed a delta, or wants the invite it just created listed at once).
		 * The other dashboards get the delta to the same tick.
		 */
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
		/** Device: a custom job's compiled module (an ES module exporting run). */
		'job-code': { type: 5, schema: z.object({ jobId, code: z.string().max(CUSTOM_CODE_MAX_BYTES) }) },
		/** Device: a result was taken (echoes the result's request number); `done` is its total. */
		accepted: { type: 4, schema: chunkRef.extend({ done: z.number().int().min(0) }) },
		/** Dashboard: the whole state, on connect, on request and periodically (swarm-dashboard.ts). */
		keyframe: { type: 16, schema: keyframe },
		/** Dashboard: what changed since the broadcast before (swarm-dashboard.ts), every 2 s. */
		delta: { type: 18, schema: delta },
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
	/**
	 * not-assigned: a result for a chunk this device does not hold (moved on, or replayed); bad-result: wrong
	 * output; no-job: job-code for a job that is not a custom job this device holds chunks of.
	 */
	errors: ['not-assigned', 'bad-result', 'no-job'],
	maxInboundBytes: SWARM_FRAME_MAX_BYTES
});
export type SwarmChannel = typeof swarmChannel;

export type SwarmRole = 'device' | 'dashboard';

/** Which socket may send each client kind (a kind added above without a role fails to compile). */
export const CLIENT_ROLE = {
	benchmark: 'device',
	result: 'device',
	'chunk-failed': 'device',
	'job-code': 'device',
	lending: 'device',
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
export type TilePayload = ServerOut<'tile'>;
export type AssignedChunk = ServerOut<'assign'>['chunks'][number];
