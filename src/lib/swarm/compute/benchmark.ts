import { countPrimes } from './primes';
import { renderTile } from './mandelbrot';

/**
 * The fixed device benchmark: the same two kernels the jobs use (a prime sieve and a fractal tile), so
 * the score predicts chunk throughput. Score = BENCHMARK_UNIT_MS / elapsed ms × 1000: a device that needs
 * 100 ms scores 1000; twice as fast scores 2000. Weights are proportional to it.
 */
export const BENCHMARK_VERSION = 1;
const BENCHMARK_UNIT_MS = 100;
const PRIME_LIMIT = 2_000_000;
const TILE = { x: 0, y: 0, w: 128, h: 128, width: 128, height: 128, centerX: -0.75, centerY: 0, scale: 2.5 / 128 };

export function runBenchmark(now: () => number = () => performance.now()): { score: number; ms: number } {
	const started = now();
	const primes = countPrimes(0, PRIME_LIMIT);
	const tile = renderTile({ ...TILE, maxIter: 400 });
	// Using the results keeps an optimising engine from skipping the work.
	if (primes !== 148_933 || tile.length !== 128 * 128) throw new Error('Benchmark kernels returned wrong results.');
	const ms = Math.max(1, now() - started);
	return { score: Math.max(1, Math.round((BENCHMARK_UNIT_MS / ms) * 1000)), ms };
}
