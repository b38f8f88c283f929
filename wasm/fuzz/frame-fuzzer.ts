// A seeded fuzzer for the codec: valid frames must round-trip exactly, and every other input (mutated
// frames, forged headers, random LZ4 blocks) must come back as a frame or a CodecError with a known,
// non-internal reason: never another exception, never a WebAssembly trap. Shared by the CI test
// (wasm/test/fuzz.spec.ts, 100,000 inputs) and `npm run fuzz:codec` (1,000,000).
import { crc32 as zlibCrc32 } from 'node:zlib';
import { CodecError, MAX_SEQ, type Codec } from '../../src/lib/protocol/codec.ts';
import { bodyStart, forgeFrame, leb128, reseal } from '../test/forge-frame.ts';
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
			// An accepted frame is intact: independent CRC (of everything before the trailer) and the limit hold.
			if (frame.payload.length > FUZZ_MAX_PAYLOAD) throw new FuzzFailure('payload over the limit', input);
			const view = new DataView(input.buffer, input.byteOffset, input.length);
			if (zlibCrc32(input.subarray(0, input.length - 4)) !== view.getUint32(input.length - 4, true)) {
				throw new FuzzFailure('accepted a bad CRC', input);
			}
		} catch (error) {
			if (error instanceof FuzzFailure) throw error;
			if (!(error instanceof CodecError)) throw new FuzzFailure(`non-codec error: ${String(error)}`, input);
			if (error.reason === 'internal') throw new FuzzFailure(`internal error: ${error.message}`, input);
			stats.rejected[error.reason] = (stats.rejected[error.reason] ?? 0) + 1;
		}
	};

	/**
	 * Damages a frame. Half of the time the CRC is then recomputed, as a hostile peer would: that is what
	 * reaches the checks behind the CRC (header fields, lengths, the LZ4 decoder).
	 */
	const mutate = (frame: Uint8Array): Uint8Array => {
		const out = frame.slice();
		const rounds = 1 + int(4);
		let bytes = out;
		const body = bytes.length >= 10 ? Math.min(bodyStart(bytes), bytes.length - 4) : 0;
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
				// Forge the sequence number or payload length with a boundary, overlong or random varint.
				const values = [0, 1, bytes.length, FUZZ_MAX_PAYLOAD, FUZZ_MAX_PAYLOAD + 1, 0xffffffff, 2 ** 48, int(1 << 20)];
				const varint = random() < 0.2 ? [0x80, 0x80, 0x00] : leb128(values[int(values.length)]);
				const flags = kind === 5 ? 1 : (bytes[4] ?? 0) & 1;
				const rest = body > 0 ? bytes.subarray(body, bytes.length - 4) : new Uint8Array(0);
				bytes = forgeFrame({
					flags,
					seq: kind === 4 ? varint : leb128(int(1000)),
					length: flags ? (kind === 5 ? varint : leb128(rest.length + 1 + int(100))) : undefined,
					body: rest
				});
			} else if (kind === 6 && body > 0 && bytes.length > body + 4) {
				// Scramble a run inside the (usually compressed) body: exercises the LZ4 decoder.
				const start = body + int(bytes.length - 4 - body);
				const end = Math.min(bytes.length - 4, start + 1 + int(16));
				for (let i = start; i < end; i++) bytes[i] = int(256);
			} else if (body > 0 && bytes.length > body + 4) {
				// Copy one body range over another, which keeps LZ4 tokens plausible.
				const from = body + int(bytes.length - 4 - body);
				const to = body + int(bytes.length - 4 - body);
				bytes.copyWithin(to, from, Math.min(bytes.length - 4, from + 1 + int(64)));
			}
		}
		if (bytes.length >= 4 && random() < 0.5) reseal(bytes);
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
			// Forged frame over random bytes: valid magic, version and CRC, random everything else; sometimes
			// a version-1 frame.
			const forged = randomBytes(10 + int(300), int(1 << 30));
			forged.set([0x4d, 0x52, random() < 0.05 ? 1 : 2], 0);
			if (random() < 0.5) forged[4] = 1;
			else if (random() < 0.8) forged[4] = 0;
			probe(reseal(forged));
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
