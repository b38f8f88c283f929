import { z } from 'zod';
import { chunkOutput, type ChunkTask, type JobSpec } from './swarm-jobs';

/**
 * The swarm wire protocol (JSON text frames), defined once for the browser (dashboard and device pages)
 * and the SwarmCoordinator. Every inbound frame is parsed with these schemas after the size cap.
 */

/** Device frames carry at most one 64×64 tile (~5.5 KiB base64) plus framing; 16 KiB leaves headroom. */
export const DEVICE_FRAME_MAX_BYTES = 16 * 1024;
/** Dashboards only send small requests. */
export const DASHBOARD_FRAME_MAX_BYTES = 1024;
/** Clients send the literal text "ping" this often; the runtime answers "pong" without waking the object. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/**
 * Close codes of device sockets, shared so the device page knows which ones are final (no reconnect).
 * Left or revoked: 1008 (policy violation, the realtime base's CloseCode.policy).
 */
export const DEVICE_REVOKED_CLOSE = 1008;
/** The same device connected again (another tab or browser); the older socket must not fight back. */
export const DEVICE_REPLACED_CLOSE = 4001;
/** No heartbeat for OFFLINE_AFTER_MS: reconnecting is right (the network may be back). */
export const DEVICE_HEARTBEAT_CLOSE = 4008;
export const SWARM_NAME_MAX = 64;
export const DEVICE_NAME_MAX = 64;
/** Scores are work units per second from the fixed benchmark; the cap rejects absurd (forged) numbers. */
export const SCORE_MAX = 1_000_000_000;

export const swarmName = z.string().trim().min(1, 'Give the swarm a name.').max(SWARM_NAME_MAX);

/** What a device says about itself at join time. Everything is bounded because it is shown to the owner. */
export const capabilities = z.object({
	name: z.string().trim().min(1).max(DEVICE_NAME_MAX),
	cores: z.number().int().min(1).max(1024),
	/** navigator.deviceMemory in GiB (Chromium only, coarse by design). */
	memoryGb: z.number().min(0).max(4096).nullable(),
	/** WebGPU adapter description when present. */
	gpu: z.string().max(128).nullable(),
	userAgent: z.string().max(512)
});
export type Capabilities = z.infer<typeof capabilities>;

export const joinRequest = z.object({ token: z.string().min(20).max(200), capabilities });
export type JoinRequest = z.infer<typeof joinRequest>;

const jobId = z.string().regex(/^[a-f0-9]{16}$/, 'Unknown job id.');
const chunkIndex = z.number().int().min(0).max(1_000_000);

export const deviceMessage = z.discriminatedUnion('type', [
	z.object({ type: z.literal('benchmark'), score: z.number().positive().max(SCORE_MAX) }),
	z.object({ type: z.literal('result'), jobId, chunk: chunkIndex, output: chunkOutput }),
	z.object({ type: z.literal('chunk-failed'), jobId, chunk: chunkIndex, error: z.string().max(200) })
]);
export type DeviceMessage = z.infer<typeof deviceMessage>;

export const dashboardMessage = z.discriminatedUnion('type', [
	/** Ask for every finished tile of a fractal job (dashboards that connect after it ran). */
	z.object({ type: z.literal('job-image'), jobId }),
	/** Ask for a full snapshot now (after a reconnect, or to time one in the bench). */
	z.object({ type: z.literal('refresh') })
]);
export type DashboardMessage = z.infer<typeof dashboardMessage>;

export type DeviceStatus = 'online' | 'offline' | 'left' | 'revoked';
export type JobStatus = 'running' | 'done' | 'failed';

/** An invite as the owner's dashboard lists it (never the token itself: only its hash is stored). */
export interface InviteTokenView {
	id: string;
	createdAt: number;
	expiresAt: number;
	maxUses: number | null;
	uses: number;
	revokedAt: number | null;
}

export interface DeviceView {
	id: string;
	name: string;
	status: DeviceStatus;
	score: number | null;
	inFlight: number;
	done: number;
	failed: number;
	cores: number;
	memoryGb: number | null;
	gpu: string | null;
	userAgent: string;
	joinedAt: number;
	lastSeenAt: number;
}

export interface JobView {
	id: string;
	kind: JobSpec['kind'];
	status: JobStatus;
	spec: JobSpec;
	total: number;
	done: number;
	/** Chunk attempts that were retried (timeouts, offline devices, reported failures). */
	retries: number;
	createdAt: number;
	finishedAt: number | null;
	/** primes: the count; mandelbrot: null (the image is the tiles). */
	answer: number | null;
	error: string | null;
}

export interface LogLine {
	seq: number;
	at: number;
	level: 'info' | 'warn' | 'error';
	text: string;
}

export interface ThroughputPoint {
	/** Bucket start (ms). */
	at: number;
	/** Chunks finished in the bucket. */
	chunks: number;
}

export interface AssignedChunk {
	jobId: string;
	chunk: number;
	task: ChunkTask;
	deadline: number;
}

export interface TileFrame {
	type: 'tile';
	jobId: string;
	x: number;
	y: number;
	w: number;
	h: number;
	pixels: string;
}

export type DeviceServerMessage =
	| {
			type: 'welcome';
			deviceId: string;
			name: string;
			swarmName: string;
			score: number | null;
			needsBenchmark: boolean;
	  }
	| { type: 'assign'; chunks: AssignedChunk[] }
	/** Chunks this device should stop working on (reassigned after a timeout, or their job failed). */
	| { type: 'drop'; chunks: { jobId: string; chunk: number }[] }
	| { type: 'accepted'; jobId: string; chunk: number; done: number }
	| { type: 'error'; code: string; message: string; retryAfterMs?: number };

export type DashboardServerMessage =
	| {
			type: 'snapshot';
			/** Full snapshots replace the device list; deltas carry only devices changed since the last one. */
			full: boolean;
			at: number;
			swarm: { id: string; name: string };
			devices: DeviceView[];
			jobs: JobView[];
			log: LogLine[];
			throughput: ThroughputPoint[];
			/** The newest invites with their use counts: in full snapshots, and in deltas when one changed. */
			invites?: InviteTokenView[];
	  }
	| TileFrame
	| { type: 'error'; code: string; message: string; retryAfterMs?: number };
