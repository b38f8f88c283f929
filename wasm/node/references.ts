// Reference LZ4 and CRC-32 implementations, adapted to one shape (bare LZ4 blocks) for the interop
// tests and the benchmark. lz4-wasm (lz4_flex compiled to WASM) and lz4-napi (lz4_flex native) frame a
// block with its u32 little-endian uncompressed size; lz4js works on bare blocks.
import { createCRC32 } from 'hash-wasm';
import { compressSync as napiCompress, uncompressSync as napiUncompress } from 'lz4-napi';
import * as lz4js from 'lz4js';
import { compress as lz4WasmCompress, decompress as lz4WasmDecompress } from 'lz4-wasm-nodejs';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** lz4js's hash table size (its `hashSize`, 1 << 16), which it expects the caller to allocate. */
const LZ4JS_HASH_ENTRIES = 1 << 16;
const SIZE_PREFIX_BYTES = 4;

export function withSizePrefix(block: Uint8Array, size: number): Uint8Array {
	const out = new Uint8Array(block.length + SIZE_PREFIX_BYTES);
	new DataView(out.buffer).setUint32(0, size, true);
	out.set(block, SIZE_PREFIX_BYTES);
	return out;
}

export interface BlockCodec {
	name: string;
	/** Returns a bare LZ4 block. */
	compress(input: Uint8Array): Uint8Array;
	decompress(block: Uint8Array, size: number): Uint8Array;
}

export const lz4jsBlocks: BlockCodec = {
	name: 'lz4js (pure JS)',
	compress(input) {
		const out = new Uint8Array(lz4js.compressBound(input.length));
		const n = lz4js.compressBlock(input, out, 0, input.length, new Uint32Array(LZ4JS_HASH_ENTRIES));
		if (n > 0) return out.subarray(0, n);
		// lz4js gives up (0) on incompressible input, leaving raw storage to its frame format; a block of
		// only literals is the block-format equivalent.
		return literalsOnlyBlock(input);
	},
	decompress(block, size) {
		const out = new Uint8Array(size);
		const n = lz4js.decompressBlock(block, out, 0, block.length, 0);
		return out.subarray(0, n);
	}
};

export const lz4WasmBlocks: BlockCodec = {
	name: 'lz4-wasm (lz4_flex)',
	compress: (input) => lz4WasmCompress(input).subarray(SIZE_PREFIX_BYTES),
	decompress: (block, size) => lz4WasmDecompress(withSizePrefix(block, size))
};

export const lz4NapiBlocks: BlockCodec = {
	name: 'lz4-napi (native)',
	compress: (input) =>
		new Uint8Array(napiCompress(Buffer.from(input.buffer, input.byteOffset, input.length))).subarray(4),
	decompress: (block, size) => new Uint8Array(napiUncompress(withSizePrefix(block, size)))
};

/** One sequence holding every byte as a literal. */
function literalsOnlyBlock(input: Uint8Array): Uint8Array {
	const extra = input.length >= 15 ? Math.floor((input.length - 15) / 255) + 1 : 0;
	const out = new Uint8Array(1 + extra + input.length);
	out[0] = Math.min(input.length, 15) << 4;
	let at = 1;
	if (input.length >= 15) {
		let rest = input.length - 15;
		for (; rest >= 255; rest -= 255) out[at++] = 255;
		out[at++] = rest;
	}
	out.set(input, at);
	return out;
}

/** hash-wasm's CRC-32 through its synchronous hasher API (its `crc32()` is async and returns hex). */
export async function hashWasmCrc32(): Promise<(bytes: Uint8Array) => number> {
	const hasher = await createCRC32();
	return (bytes) => {
		hasher.init();
		hasher.update(bytes);
		const digest = hasher.digest('binary');
		return ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0;
	};
}

export { zlibCrc32 };
