/**
 * Counts primes p with lo ≤ p < hi by a segmented sieve of Eratosthenes: memory is one byte per number
 * in the range plus the base primes up to √hi. Pure and import-free so the device worker, the tests and
 * the Node bench all run the same code.
 */
export function countPrimes(lo: number, hi: number, onProgress?: (fraction: number) => void): number {
	if (hi <= 2 || hi <= lo) return 0;
	const start = Math.max(lo, 2);
	const base = basePrimes(Math.floor(Math.sqrt(hi - 1)));
	const size = hi - start;
	const composite = new Uint8Array(size);
	for (let i = 0; i < base.length; i++) {
		const p = base[i];
		// First multiple of p in range that is not p itself.
		let m = Math.max(p * p, Math.ceil(start / p) * p);
		for (; m < hi; m += p) composite[m - start] = 1;
		if (onProgress && (i & 1023) === 0) onProgress((i / base.length) * 0.9);
	}
	let count = 0;
	for (let i = 0; i < size; i++) if (composite[i] === 0) count++;
	onProgress?.(1);
	return count;
}

function basePrimes(limit: number): number[] {
	if (limit < 2) return [];
	const sieve = new Uint8Array(limit + 1);
	const primes: number[] = [];
	for (let i = 2; i <= limit; i++) {
		if (sieve[i]) continue;
		primes.push(i);
		for (let j = i * i; j <= limit; j += i) sieve[j] = 1;
	}
	return primes;
}
