// The Chromium half of bench:codec, run in a Web Worker (Chromium compiles WebAssembly synchronously
// only off the main thread, and lz4-wasm's glue does). bench-codec-chromium.ts bundles this file with
// esbuild, the .wasm files inlined as bytes, and posts back the rows of the same workloads as Node's.
import { createCRC32 } from 'hash-wasm';
import { compress as lz4WasmCompress, decompress as lz4WasmDecompress } from 'lz4-wasm-nodejs';
import { createCodec } from '../../../src/lib/protocol/codec.ts';
import scalarWasm from '../../build/codec-scalar.wasm';
import simdWasm from '../../build/codec.wasm';
import { baselineFrom } from '../baseline.ts';
import { datasets, runWorkloads, type BlockImpl, type CrcImpl, type Sections } from '../workloads.ts';

const SIZE_PREFIX_BYTES = 4;
// esbuild's binary loader inlines the files as bytes (src/wasm.d.ts types .wasm imports as the
// WebAssembly.Module that wrangler makes of them).
const SIMD_BYTES = simdWasm as unknown as Uint8Array;
const SCALAR_BYTES = scalarWasm as unknown as Uint8Array;

function ours(bytes: Uint8Array, name: string): { blocks: BlockImpl; crc: CrcImpl } {
	const codec = createCodec(new WebAssembly.Module(bytes), { maxPayloadBytes: 16 * 1024 * 1024 });
	return {
		blocks: {
			name,
			compress: (input) => codec.compressBlock(input),
			decompress: (block, size) => codec.decompressBlock(block, size)
		},
		crc: { name, crc32: (input) => codec.crc32(input) }
	};
}

/** lz4-wasm frames a block with its u32 little-endian size, as in wasm/node/references.ts. */
const lz4Wasm: BlockImpl = {
	name: 'lz4-wasm (lz4_flex)',
	compress: (input) => lz4WasmCompress(input).subarray(SIZE_PREFIX_BYTES),
	decompress(block, size) {
		const framed = new Uint8Array(block.length + SIZE_PREFIX_BYTES);
		new DataView(framed.buffer).setUint32(0, size, true);
		framed.set(block, SIZE_PREFIX_BYTES);
		return lz4WasmDecompress(framed);
	}
};

/** `baseline`: another codec.wasm to measure beside ours; `sections`: which ops and inputs to run. */
self.onmessage = async (event: MessageEvent<{ baseline?: Uint8Array; sections: Sections }>) => {
	try {
		const hasher = await createCRC32();
		const hashWasm: CrcImpl = {
			name: 'hash-wasm',
			crc32(input) {
				hasher.init();
				hasher.update(input);
				const d = hasher.digest('binary');
				return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
			}
		};
		const simd = ours(SIMD_BYTES, 'ours (AssemblyScript)');
		const scalar = ours(SCALAR_BYTES, 'ours, scalar build');
		const baseline = event.data.baseline ? baselineFrom(event.data.baseline) : undefined;
		const blocks = [simd.blocks, scalar.blocks, ...(baseline ? [baseline.blocks] : []), lz4Wasm];
		const crcs = [
			simd.crc,
			scalar.crc,
			...(baseline ? [{ name: baseline.blocks.name, crc32: baseline.crc32 }] : []),
			hashWasm
		];
		const { sections } = event.data;
		const sets = datasets(sections);
		const result = runWorkloads(
			sets,
			blocks,
			crcs,
			{
				crc32: { ref: 'hash-wasm', min: 1.2 },
				// No native LZ4 in a browser: lz4-wasm is the reference for both directions.
				decompress: { ref: 'lz4-wasm (lz4_flex)', min: 1.0 },
				compress: { ref: 'lz4-wasm (lz4_flex)', min: 1.2 }
			},
			sections.ops
		);
		const sizes = sets.map(({ key, bytes }) => [key, simd.blocks.compress(bytes).length]);
		postMessage({ rows: result.rows, targets: result.targets, sizes, userAgent: navigator.userAgent });
	} catch (error) {
		postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
	}
};
