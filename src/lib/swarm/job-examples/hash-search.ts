/**
 * Hash search: find every nonce below `nonces` whose MurmurHash3 (32-bit) of "<prefix>:<nonce>" starts
 * with `zeroBits` zero bits — a small proof-of-work. Pure JavaScript rather than crypto.subtle, so it also
 * runs on phones that reach the swarm over plain http on a LAN (no secure context, no SubtleCrypto).
 */
type Input = { prefix: string; nonces: number; zeroBits: number; perChunk: number };
type Chunk = { prefix: string; from: number; to: number; zeroBits: number };
type Result = { nonce: number; hash: string }[];
type Output = { found: number; matches: { nonce: number; hash: string }[] };

export function split(input: Input): Chunk[] {
	const chunks: Chunk[] = [];
	for (let from = 0; from < input.nonces; from += input.perChunk) {
		const to = Math.min(from + input.perChunk, input.nonces);
		chunks.push({ prefix: input.prefix, from, to, zeroBits: input.zeroBits });
	}
	return chunks;
}

export function run(chunk: Chunk): Result {
	const limit = 2 ** (32 - chunk.zeroBits); // a hash below this starts with zeroBits zero bits
	const matches: Result = [];
	for (let nonce = chunk.from; nonce < chunk.to; nonce++) {
		const hash = murmur3(`${chunk.prefix}:${nonce}`);
		if (hash < limit) matches.push({ nonce, hash: hash.toString(16).padStart(8, '0') });
	}
	return matches;
}

export function merge(results: Result[], _input: Input): Output {
	const matches = results.flat();
	return { found: matches.length, matches };
}

/** MurmurHash3 x86 32-bit, seed 0, over the text's UTF-8 bytes (exported for its test; devices call run). */
export function murmur3(text: string): number {
	const bytes = new TextEncoder().encode(text);
	const mix = (k: number) => Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
	let h = 0;
	const blocks = bytes.length >> 2;
	for (let i = 0; i < blocks; i++) {
		const k = bytes[4 * i] | (bytes[4 * i + 1] << 8) | (bytes[4 * i + 2] << 16) | (bytes[4 * i + 3] << 24);
		h = (Math.imul(rotl(h ^ mix(k), 13), 5) + 0xe6546b64) | 0;
	}
	let tail = 0;
	for (let i = bytes.length - 1; i >= blocks * 4; i--) tail = (tail << 8) | bytes[i];
	if (bytes.length & 3) h ^= mix(tail);
	h ^= bytes.length;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

function rotl(x: number, r: number): number {
	return (x << r) | (x >>> (32 - r));
}
