// A seeded fuzzer for the codec: valid frames must round-trip exactly, and every other input (mutated
// frames, forged headers, random LZ4 blocks) must come back as a frame or a CodecError with a known,
// non-internal reason: never another exception, never a WebAssembly trap. Shared by the CI test
// (wasm/test/fuzz.spec.ts, 100,000 inputs) and `npm run fuzz:codec` (1,000,000).
import { crc32 as zlibCrc32 } from 'node:zlib';
import { CodecError, FRAME_HEADER_BYTES, MAX_SEQ, type Codec } from '../../src/lib/protocol/codec.ts';
import { englishLikeText, randomBytes, sampleJsonDocument, seededRandom } from '../bench/data.ts';

/** Small enough that forged lengths often exceed it (the decompression-bomb path), big enough for real data. */
export const FUZZ_MAX_PAYLOAD = 64 * 1024;
const POOL_BYTES = 256 * 1024;

export interface FuzzStats {
	inputs: number;
	roundTrips: number;
	accepted: number;
	rejected: Record<string, number>;
}

export class FuzzFailure extends Error {
	readonly input: Uint8Array;

	constructor(message: string, input: Uint8Array) {
		super(`${message} (input: ${Buffer.from(input.subarray(0, 64)).toString('hex')}…, ${input.length} bytes)`);
		this.input = input;
	}
}

/** Runs `count` fuzz inputs through `codec` (created with maxPayloadBytes = FUZZ_MAX_PAYLOAD). */
export function fuzzCodec(codec: Codec, count: number, seed: number): FuzzStats {
	const random = seededRandom(seed);
	const int = (n: number) => Math.floor(random() * n);
	const pools = [randomBytes(POOL_BYTES, seed + 1), englishLikeText(POOL_BYTES, seed + 2), sampleJsonDocument()];
	const stats: FuzzStats = { inputs: 0, roundTrips: 0, accepted: 0, rejected: {} };

	/** Mostly small payloads (chat), sometimes up to the limit; text, JSON, random or runs of one byte. */
	const payload = (): Uint8Array => {
		const size = random() < 0.9 ? int(2048) : int(FUZZ_MAX_PAYLOAD + 1);
		if (random() < 0.1) return new Uint8Array(size).fill(int(256));
		const pool = pools[int(pools.length)];
		const length = Math.min(size, pool.length);
		const start = int(pool.length - length + 1);
		return pool.subarray(start, start + length);
	};

	/** Decodes anything; returns normally for a frame or a CodecError, throws FuzzFailure otherwise. */
	const probe = (input: Uint8Array) => {
		stats.inputs++;
		try {
			const frame = codec.decode(input);
			stats.accepted++;
			// An accepted frame is intact: independent CRC and the length limit hold.
			if (frame.payload.length > FUZZ_MAX_PAYLOAD) throw new FuzzFailure('payload over the limit', input);
			const view = new DataView(input.buffer, input.byteOffset, input.length);
			if (zlibCrc32(frame.payload) !== view.getUint32(20, true)) throw new FuzzFailure('accepted a bad CRC', input);
		} catch (error) {
			if (error instanceof FuzzFailure) throw error;
			if (!(error instanceof CodecError)) throw new FuzzFailure(`non-codec error: ${String(error)}`, input);
			if (error.reason === 'internal') throw new FuzzFailure(`internal error: ${error.message}`, input);
			stats.rejected[error.reason] = (stats.rejected[error.reason] ?? 0) + 1;
		}
	};

	const mutate = (frame: Uint8Array): Uint8Array => {
		const out = frame.slice();
		const rounds = 1 + int(4);
		let bytes = out;
		for (let r = 0; r < rounds; r++) {
			const kind = int(8);
			if (bytes.length === 0) break;
			const at = int(bytes.length);
			if (kind === 0) bytes[at] ^= 1 << int(8);
			else if (kind === 1) bytes[at] = int(256);
			else if (kind === 2) bytes = bytes.subarray(0, int(bytes.length));
			else if (kind === 3) {
				const longer = new Uint8Array(bytes.length + 1 + int(32));
				longer.set(bytes);
				longer.set(randomBytes(longer.length - bytes.length, int(1 << 30)), bytes.length);
				bytes = longer;
			} else if (kind === 4 || kind === 5) {
				// Forge a header length (stored 12, payload 16) with a boundary or random value.
				const field = kind === 4 ? 12 : 16;
				const values = [0, 1, bytes.length, FUZZ_MAX_PAYLOAD, FUZZ_MAX_PAYLOAD + 1, 0xffffffff, int(1 << 20)];
				if (bytes.length >= FRAME_HEADER_BYTES) {
					new DataView(bytes.buffer, bytes.byteOffset).setUint32(field, values[int(values.length)], true);
				}
			} else if (kind === 6 && bytes.length > FRAME_HEADER_BYTES) {
				// Scramble a run inside the (usually compressed) body: exercises the LZ4 decoder.
				const start = FRAME_HEADER_BYTES + int(bytes.length - FRAME_HEADER_BYTES);
				const end = Math.min(bytes.length, start + 1 + int(16));
				for (let i = start; i < end; i++) bytes[i] = int(256);
			} else if (bytes.length > FRAME_HEADER_BYTES) {
				// Copy one body range over another, which keeps LZ4 tokens plausible.
				const from = FRAME_HEADER_BYTES + int(bytes.length - FRAME_HEADER_BYTES);
				const to = FRAME_HEADER_BYTES + int(bytes.length - FRAME_HEADER_BYTES);
				bytes.copyWithin(to, from, from + 1 + int(64));
			}
		}
		return bytes;
	};

	while (stats.inputs < count) {
		const dice = random();
		if (dice < 0.3) {
			// Valid frame: must round-trip exactly, then a mutant of it.
			const data = payload();
			const type = int(256);
			const seq = random() < 0.1 ? MAX_SEQ - int(1000) : int(1_000_000);
			const frame = codec.encode(type, seq, data, { compress: random() < 0.9 });
			const back = codec.decode(frame);
			stats.inputs++;
			stats.roundTrips++;
			if (back.type !== type || back.seq !== seq || Buffer.compare(back.payload, data) !== 0) {
				throw new FuzzFailure('round trip changed the frame', frame);
			}
			probe(mutate(frame));
		} else if (dice < 0.85) {
			probe(mutate(codec.encode(int(256), int(1 << 20), payload())));
		} else if (dice < 0.95) {
			// Forged header over random bytes: valid magic and version, random everything else.
			const forged = randomBytes(FRAME_HEADER_BYTES + int(300), int(1 << 30));
			forged.set([0x4d, 0x52, 1], 0);
			if (random() < 0.5) forged[4] = 1;
			if (random() < 0.8) forged[5] = 0;
			probe(forged);
		} else {
			// A bare LZ4 block, random or a corrupted real one, with a random output limit.
			const real = codec.compressBlock(payload());
			const block = random() < 0.5 ? randomBytes(int(200), int(1 << 30)) : mutate(real);
			const limit = int(FUZZ_MAX_PAYLOAD);
			stats.inputs++;
			try {
				const out = codec.decompressBlock(block, limit);
				if (out.length > limit) throw new FuzzFailure('block output over its limit', block);
				stats.accepted++;
			} catch (error) {
				if (error instanceof FuzzFailure) throw error;
				if (!(error instanceof CodecError) || error.reason !== 'corrupt-lz4') {
					throw new FuzzFailure(`bad block error: ${String(error)}`, block);
				}
				stats.rejected['corrupt-lz4'] = (stats.rejected['corrupt-lz4'] ?? 0) + 1;
			}
		}
	}
	return stats;
}
