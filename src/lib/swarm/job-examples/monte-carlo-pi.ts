/**
 * Monte Carlo π: throw random points into the unit square and count those inside the quarter circle;
 * π ≈ 4 × inside / total. Each chunk seeds its own PRNG (mulberry32) from its index, so every device
 * that computes a chunk gets the same count: results are compared between devices, and Math.random
 * would make honest devices disagree.
 */
type Input = { samples: number; chunks: number };
type Chunk = { seed: number; samples: number };
type Result = { inside: number; samples: number };
type Output = { pi: number; samples: number; error: number };

export function split(input: Input): Chunk[] {
	const per = Math.ceil(input.samples / input.chunks);
	return Array.from({ length: input.chunks }, (_, i) => ({
		seed: i + 1,
		samples: Math.min(per, input.samples - i * per)
	})).filter((chunk) => chunk.samples > 0);
}

export function run(chunk: Chunk): Result {
	const random = mulberry32(chunk.seed);
	let inside = 0;
	for (let i = 0; i < chunk.samples; i++) {
		const x = random();
		const y = random();
		if (x * x + y * y <= 1) inside++;
	}
	return { inside, samples: chunk.samples };
}

export function merge(results: Result[], _input: Input): Output {
	const inside = results.reduce((sum, r) => sum + r.inside, 0);
	const samples = results.reduce((sum, r) => sum + r.samples, 0);
	const pi = (4 * inside) / samples;
	return { pi, samples, error: Math.abs(pi - Math.PI) };
}

/** A small, fast, seedable PRNG with 32 bits of state: uniform in [0, 1). */
function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
