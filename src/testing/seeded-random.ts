import { env } from 'cloudflare:workers';

/**
 * Replayable randomness for randomised tests. Each run picks a fresh seed (so runs explore different
 * paths) and prints it; `TEST_SEED=<n> npx vitest run …` replays that exact run (vitest.config.ts passes
 * TEST_SEED into workerd as a binding).
 */
export function testSeed(testName: string): number {
	const fixed = env.TEST_SEED?.trim();
	const seed = fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
	if (!Number.isSafeInteger(seed)) throw new Error(`TEST_SEED must be an integer, got "${fixed}"`);
	console.log(`${testName}: seed ${seed} (replay with TEST_SEED=${seed})`);
	return seed;
}

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; the same seed always yields the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
	let state = seed | 0;
	return () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
