import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { compileJob } from '$lib/server/swarm/transpile';
import * as hashSearch from './hash-search';
import * as imageFilter from './image-filter';
import { JOB_EXAMPLES } from './index';
import { JOB_TEMPLATE, JOB_TEMPLATE_INPUT, type JobModule } from './job-module';
import * as monteCarloPi from './monte-carlo-pi';

/** What the dashboard and the devices will do with a job module: split, run every chunk, merge in order. */
async function runJob<I, C, R, O>(
	job: { split(i: I): C[]; run(c: C): R | Promise<R>; merge(r: R[], i: I): O },
	input: I
) {
	const chunks = job.split(structuredClone(input));
	// Every value crosses as JSON between dashboard, coordinator and devices.
	const results = await Promise.all(
		chunks.map(async (chunk) => JSON.parse(JSON.stringify(await job.run(JSON.parse(JSON.stringify(chunk))))))
	);
	return { chunks, output: job.merge(results, input) };
}

const example = (id: string) => JOB_EXAMPLES.find((e) => e.id === id)!;

describe('the example job modules', { timeout: 60_000 }, () => {
	it('all compile clean through the transpiler worker, as does the template', async () => {
		for (const source of [JOB_TEMPLATE, ...JOB_EXAMPLES.map((e) => e.source)]) {
			expect(await compileJob(env, source)).toMatchObject({ ok: true });
		}
		expect(JOB_EXAMPLES.map((e) => e.id)).toEqual(['hash-search', 'monte-carlo-pi', 'image-filter']);
	});

	it('hash search: MurmurHash3 matches its reference vectors, and every match (and only those) is found', async () => {
		const input = { prefix: 'murmur', nonces: 20_000, zeroBits: 8, perChunk: 3_000 };
		const { chunks, output } = await runJob(hashSearch, input);
		expect(chunks).toHaveLength(7);
		// Published MurmurHash3_x86_32 values with seed 0 (every tail length: 0, 1, 3 and 5 = 4 + 1 bytes).
		const vectors = {
			'': 0,
			hello: 0x248bfa47,
			'Hello, world!': 0xc0363e43,
			'The quick brown fox jumps over the lazy dog': 0x2e4ff723
		};
		for (const [text, hash] of Object.entries(vectors)) expect(hashSearch.murmur3(text), text).toBe(hash);
		// run hashes "<prefix>:<nonce>", hex-encoded.
		expect(hashSearch.run({ prefix: 'hello', from: 7, to: 8, zeroBits: 0 })).toEqual([
			{ nonce: 7, hash: hashSearch.murmur3('hello:7').toString(16).padStart(8, '0') }
		]);
		// About 1 in 256 nonces qualify; each listed one does, in order, and none is missing.
		expect(output.found).toBeGreaterThan(40);
		expect(output.found).toBeLessThan(120);
		const all = hashSearch.run({ prefix: 'murmur', from: 0, to: 20_000, zeroBits: 8 });
		expect(output.matches).toEqual(all);
		for (const match of output.matches) expect(parseInt(match.hash, 16)).toBeLessThan(2 ** 24);
	});

	it('Monte Carlo π: close to π, and the same on every run (devices must agree)', async () => {
		const input = { samples: 400_000, chunks: 8 };
		const first = await runJob(monteCarloPi, input);
		const second = await runJob(monteCarloPi, input);
		expect(first.output).toEqual(second.output);
		expect(first.output.samples).toBe(400_000);
		expect(first.output.error).toBeLessThan(0.01);
		expect(Math.abs(first.output.pi - Math.PI)).toBe(first.output.error);
	});

	it('image filter: a width × height RGBA image of dark edges on white, stitched from bands', async () => {
		const input = { width: 64, height: 40, rowsPerChunk: 8 };
		const { chunks, output } = await runJob(imageFilter, input);
		expect(chunks).toHaveLength(5);
		const { width, height, rgba } = output.image;
		expect([width, height, rgba.length]).toEqual([64, 40, 64 * 40 * 4]);
		expect(rgba.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
		// Opaque, grey (r = g = b), with both flat areas (white) and edges (dark) in it.
		const pixels = Array.from({ length: width * height }, (_, i) => rgba.slice(i * 4, i * 4 + 4));
		expect(pixels.every(([r, g, b, a]) => r === g && g === b && a === 255)).toBe(true);
		expect(pixels.filter(([r]) => r > 240).length).toBeGreaterThan(width * height * 0.3);
		expect(pixels.filter(([r]) => r < 100).length).toBeGreaterThan(width * 2);
		// Bands are independent: one band computed alone equals its part of the whole image.
		const band = imageFilter.run({ width, height, y0: 16, y1: 24 });
		expect(band.grey.map((g) => 255 - g)).toEqual(pixels.slice(16 * width, 24 * width).map(([r]) => r));
	});

	it('the template and every example have the job module shape', async () => {
		const modules: JobModule[] = [hashSearch, monteCarloPi, imageFilter] as unknown as JobModule[];
		for (const job of modules)
			for (const name of ['split', 'run', 'merge'] as const) expect(typeof job[name]).toBe('function');
		expect(example('image-filter').input).toEqual({ width: 256, height: 192, rowsPerChunk: 8 });
		expect(JOB_TEMPLATE_INPUT).toEqual({ numbers: 100_000 });
	});
});
