import { z } from 'zod';
import { boundedJson } from './canonical-json';

/**
 * Swarm jobs: what the owner submits, what one chunk asks a device to compute, and what a device
 * answers. Shared by the dashboard, the device worker and the SwarmCoordinator, so both ends validate
 * against the same bounds.
 */

/** Upper bound for prime counting: keeps each number inside exact double-precision integer range for `i * i`. */
export const PRIMES_MAX = 2_000_000_000;
/** Largest numbers per chunk: a segmented sieve of this many bytes stays well under a phone's memory. */
export const PRIMES_MAX_CHUNK = 5_000_000;
/** Largest chunk count per job: bounds the coordinator's SQLite rows (and the bench's biggest job). */
export const MAX_CHUNKS_PER_JOB = 20_000;
/** Largest fractal side; 2048² one-byte pixels is 4 MiB kept in the DO, which is the most we want per job. */
export const MANDELBROT_MAX_SIDE = 2048;
export const MANDELBROT_MAX_ITER = 5000;
/** Tile side in pixels: 64² one-byte pixels is 4 KiB, ~5.5 KiB in base64, well under the device frame cap. */
export const TILE_SIZE = 64;

export const primesSpec = z
	.object({
		kind: z.literal('primes'),
		/** Count primes p with lo ≤ p < hi. */
		lo: z.number().int().min(0).max(PRIMES_MAX),
		hi: z.number().int().min(1).max(PRIMES_MAX),
		chunkSize: z.number().int().min(1000).max(PRIMES_MAX_CHUNK)
	})
	.refine((s) => s.hi > s.lo, 'hi must be greater than lo.')
	.refine((s) => Math.ceil((s.hi - s.lo) / s.chunkSize) <= MAX_CHUNKS_PER_JOB, {
		message: `That range would need more than ${MAX_CHUNKS_PER_JOB} chunks; use a bigger chunkSize.`
	});

export const mandelbrotSpec = z.object({
	kind: z.literal('mandelbrot'),
	width: z.number().int().min(TILE_SIZE).max(MANDELBROT_MAX_SIDE),
	height: z.number().int().min(TILE_SIZE).max(MANDELBROT_MAX_SIDE),
	centerX: z.number().min(-4).max(4),
	centerY: z.number().min(-4).max(4),
	/** Complex-plane units per pixel. */
	scale: z.number().positive().max(1),
	maxIter: z.number().int().min(16).max(MANDELBROT_MAX_ITER)
});

export const jobSpec = z.discriminatedUnion('kind', [primesSpec, mandelbrotSpec]);
export type JobSpec = z.infer<typeof jobSpec>;

// ---- custom jobs: the owner's own TypeScript module (split on the dashboard, run on devices, merge on the dashboard)

/** Chunks of one custom job: every one is a row per replica in the coordinator (k ≤ 3, plus re-issues). */
export const CUSTOM_MAX_CHUNKS = 1000;
/** One chunk's input as split() returned it, in canonical JSON: it rides in every assign frame. */
export const CUSTOM_CHUNK_INPUT_MAX_BYTES = 4 * 1024;
/** The job's input (kept for merge(results, input) on the dashboard). */
export const CUSTOM_INPUT_MAX_BYTES = 64 * 1024;
/** The compiled module as stored with the job and sent to each device once per job. */
export const CUSTOM_CODE_MAX_BYTES = 256 * 1024;
/** One chunk's result in canonical JSON (a device frame carries one; SWARM_FRAME_MAX_BYTES leaves room). */
export const CUSTOM_RESULT_MAX_BYTES = 32 * 1024;
/** Accepted results of one job together: what the dashboard downloads to merge. */
export const CUSTOM_JOB_OUTPUT_MAX_BYTES = 8 * 1024 * 1024;
/** Replication: each chunk is computed by k distinct devices and accepted when k results agree. */
export const REPLICATION_MIN = 1;
export const REPLICATION_MAX = 3;
export const REPLICATION_DEFAULT = 2;
/** How long one run(chunk) may take on a device before its worker is terminated. */
export const CUSTOM_TIME_LIMIT_DEFAULT_MS = 10_000;
export const CUSTOM_TIME_LIMIT_MAX_MS = 30_000;
export const JOB_TITLE_MAX = 80;
/** The whole custom-job request: its chunk list dominates (CUSTOM_MAX_CHUNKS × 4 KiB would be 4 MiB). */
export const CUSTOM_JOB_BODY_MAX_BYTES = 1024 * 1024;

const replication = z
	.number()
	.int()
	.min(REPLICATION_MIN, `Replication is ${REPLICATION_MIN} to ${REPLICATION_MAX} devices per chunk.`)
	.max(REPLICATION_MAX, `Replication is ${REPLICATION_MIN} to ${REPLICATION_MAX} devices per chunk.`);
const timeLimitMs = z.number().int().min(100).max(CUSTOM_TIME_LIMIT_MAX_MS);
const title = z.string().trim().min(1).max(JOB_TITLE_MAX, `Titles are at most ${JOB_TITLE_MAX} characters.`);

/**
 * What the owner's dashboard submits for a custom job: the TypeScript source (the route compiles it
 * with compileJob; the coordinator stores the compiled module), the input, and the chunk list that
 * split(input) produced in the dashboard's sandbox. The chunks come from the dashboard because the
 * server never runs job code; sending them (not only the input) lets the route bound their count and
 * sizes before anything is stored, and every device sees exactly the chunks the owner's split made.
 */
export const customJobRequest = z.strictObject({
	kind: z.literal('custom'),
	title: title.default('Custom job'),
	source: z.string().min(1, 'The job has no source.'),
	input: boundedJson(CUSTOM_INPUT_MAX_BYTES, 'The input'),
	chunks: z
		.array(boundedJson(CUSTOM_CHUNK_INPUT_MAX_BYTES, 'Each chunk'))
		.min(1, 'split(input) returned no chunks.')
		.max(CUSTOM_MAX_CHUNKS, `split(input) returned more than ${CUSTOM_MAX_CHUNKS} chunks: make them bigger.`),
	k: replication.default(REPLICATION_DEFAULT),
	timeLimitMs: timeLimitMs.default(CUSTOM_TIME_LIMIT_DEFAULT_MS)
});
export type CustomJobRequest = z.infer<typeof customJobRequest>;

/** A custom job as the coordinator takes it: the request without its source, plus the compiled module. */
export const customJob = customJobRequest.omit({ source: true }).extend({
	code: z
		.string()
		.min(1)
		.max(CUSTOM_CODE_MAX_BYTES, `The compiled job is over ${CUSTOM_CODE_MAX_BYTES / 1024} KiB.`)
});
export type CustomJob = z.infer<typeof customJob>;

/** A custom job as dashboards list it (no code, no chunk inputs: those are fetched when needed). */
export const customSummary = z.object({
	kind: z.literal('custom'),
	title: z.string(),
	k: replication,
	chunks: z.number().int().min(1),
	timeLimitMs
});
export type CustomSummary = z.infer<typeof customSummary>;
export type PrimesSpec = z.infer<typeof primesSpec>;
export type MandelbrotSpec = z.infer<typeof mandelbrotSpec>;

/** One chunk's work, as sent to a device: a prime range, or one tile of a render (a TileTask). */
export const chunkTask = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('primes'), lo: z.number().int().min(0), hi: z.number().int().min(0) }),
	z.object({
		kind: z.literal('mandelbrot'),
		x: z.number().int().min(0),
		y: z.number().int().min(0),
		w: z.number().int().min(1).max(TILE_SIZE),
		h: z.number().int().min(1).max(TILE_SIZE),
		width: z.number().int(),
		height: z.number().int(),
		centerX: z.number(),
		centerY: z.number(),
		scale: z.number(),
		maxIter: z.number().int()
	}),
	/** One chunk of a custom job: the device runs the job's module (fetched once with job-code) on `input`. */
	z.object({ kind: z.literal('custom'), input: z.unknown(), timeLimitMs })
]);
export type ChunkTask = z.infer<typeof chunkTask>;

/** Base64 of `w * h` bytes, at most one full tile. */
const TILE_BASE64_MAX = Math.ceil((TILE_SIZE * TILE_SIZE) / 3) * 4;

export const chunkOutput = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('primes'), count: z.number().int().min(0).max(PRIMES_MAX_CHUNK) }),
	z.object({
		kind: z.literal('mandelbrot'),
		pixels: z
			.string()
			.max(TILE_BASE64_MAX)
			.regex(/^[A-Za-z0-9+/]*={0,2}$/)
	}),
	z.object({ kind: z.literal('custom'), value: boundedJson(CUSTOM_RESULT_MAX_BYTES, 'A result') })
]);
export type ChunkOutput = z.infer<typeof chunkOutput>;
