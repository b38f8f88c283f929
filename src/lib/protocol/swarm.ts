import { z } from 'zod';
import { customSummary, jobSpec } from './swarm-jobs';

/**
 * The swarm's shared vocabulary: what a device says about itself when it joins, and what the owner's
 * dashboard is shown (devices, jobs, invites, the log, throughput). Schemas, used by the join route, the
 * SwarmCoordinator's storage and the channel contract (swarm-channel.ts); types come from them.
 */

export const SWARM_NAME_MAX = 64;
export const DEVICE_NAME_MAX = 64;
/** Scores are work units per second from the fixed benchmark; the cap rejects absurd (forged) numbers. */
export const SCORE_MAX = 1_000_000_000;

export const swarmName = z
	.string()
	.trim()
	.min(1, 'Give the swarm a name.')
	.max(SWARM_NAME_MAX, `Swarm names are at most ${SWARM_NAME_MAX} characters: shorten it.`);

/** What a device says about itself at join time. Everything is bounded because it is shown to the owner. */
export const capabilities = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give this device a name.')
		.max(DEVICE_NAME_MAX, `Device names are at most ${DEVICE_NAME_MAX} characters: shorten it.`),
	cores: z.number().int().min(1).max(1024),
	/** navigator.deviceMemory in GiB (Chromium only, coarse by design). */
	memoryGb: z.number().min(0).max(4096).nullable(),
	/** WebGPU adapter description when present. */
	gpu: z.string().max(128).nullable(),
	userAgent: z.string().max(512)
});
export type Capabilities = z.infer<typeof capabilities>;

/** Join tokens are 43 characters (credentials.ts); the bounds only turn away what cannot be one, in words. */
export const joinRequest = z.object({
	token: z
		.string()
		.min(20, 'This invite code looks incomplete — paste the whole link.')
		.max(200, 'This is not an invite code — paste the whole link the owner shared.'),
	capabilities
});
export type JoinRequest = z.infer<typeof joinRequest>;

export const deviceStatus = z.enum(['online', 'offline', 'left', 'revoked']);
export type DeviceStatus = z.infer<typeof deviceStatus>;
/** Paused: no new chunks go out (those out are still accepted). Cancelled: stopped by the owner for good. */
export const jobStatus = z.enum(['running', 'paused', 'done', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatus>;

const time = z.number().int().min(0);
const count = z.number().int().min(0);

/** An invite as the owner's dashboard lists it (never the token itself: only its hash is stored). */
export const inviteTokenView = z.object({
	id: z.string(),
	createdAt: time,
	expiresAt: time,
	maxUses: count.nullable(),
	uses: count,
	revokedAt: time.nullable()
});
export type InviteTokenView = z.infer<typeof inviteTokenView>;

export const deviceView = z.object({
	id: z.string(),
	/** The invite it joined with: the owner can disconnect every device of one invite. */
	inviteId: z.string(),
	name: z.string(),
	status: deviceStatus,
	score: z.number().nullable(),
	inFlight: count,
	done: count,
	failed: count,
	/** CPU time its runner reported for the chunks it computed. */
	cpuMs: count,
	/** Replicated chunks where its result was on the agreeing side, and where it was outvoted. */
	votesWon: count,
	votesLost: count,
	/** Outvoted too often (trust-ledger.ts): gets no more chunks. */
	quarantined: z.boolean(),
	/** Lending paused on the device page, and how many chunks it runs at once (its core cap). */
	paused: z.boolean(),
	slots: z.number().int().min(1),
	cores: z.number().int(),
	memoryGb: z.number().nullable(),
	gpu: z.string().nullable(),
	userAgent: z.string(),
	joinedAt: time,
	lastSeenAt: time
});
export type DeviceView = z.infer<typeof deviceView>;

export const jobView = z.object({
	id: z.string(),
	kind: z.enum(['primes', 'mandelbrot', 'custom']),
	status: jobStatus,
	spec: z.union([jobSpec, customSummary]),
	/** Devices that must agree on each chunk (built-in jobs: 1, they keep their own checks). */
	k: z.number().int().min(1),
	total: count,
	done: count,
	/** Chunks whose results disagreed, each sent to one more device. */
	disagreements: count,
	/** Chunk attempts that were retried (timeouts, offline devices, reported failures). */
	retries: count,
	createdAt: time,
	finishedAt: time.nullable(),
	/** primes: the count; mandelbrot: null (the image is the tiles). */
	answer: z.number().nullable(),
	error: z.string().nullable()
});
export type JobView = z.infer<typeof jobView>;

export const logLine = z.object({
	seq: z.number().int().min(1),
	at: time,
	level: z.enum(['info', 'warn', 'error']),
	text: z.string()
});
export type LogLine = z.infer<typeof logLine>;

export const throughputPoint = z.object({
	/** Bucket start (ms). */
	at: time,
	/** Chunks finished in the bucket. */
	chunks: count
});
export type ThroughputPoint = z.infer<typeof throughputPoint>;
