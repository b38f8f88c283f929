import { z } from 'zod';

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
	})
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
	})
]);
export type ChunkOutput = z.infer<typeof chunkOutput>;
