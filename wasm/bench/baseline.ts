// A second codec.wasm measured in the same run as the current one, for before/after figures. The build
// output is not tracked, so build it in another checkout (e.g. main) and pass the file:
//   npm run bench:codec -- --baseline /path/to/main/wasm/build/codec.wasm
// Only the bare-block and CRC exports are used (they have kept their signatures since version 1), so
// a baseline with another frame header still loads: createCodec's header check is not involved.
import type { BlockImpl } from './workloads.ts';

interface RawExports {
	memory: WebAssembly.Memory;
	reserve(inNeed: number, outNeed: number): number;
	inputPtr(): number;
	outputPtr(): number;
	crc32Update(crc: number, ptr: number, len: number): number;
	compressBlock(len: number): number;
	decompressBlock(len: number, maxOutput: number): number;
}

export interface Baseline {
	blocks: BlockImpl;
	crc32: (bytes: Uint8Array) => number;
}

/**
 * The module in `bytes` through its raw exports, copying in and out exactly as codec.ts does. No Node
 * APIs: the Chromium half gets the bytes by message.
 */
export function baselineFrom(bytes: Uint8Array, name = 'baseline (--baseline)'): Baseline {
	const wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as RawExports;
	const heap = () => new Uint8Array(wasm.memory.buffer);
	const input = (bytes: Uint8Array) => {
		if (!wasm.reserve(bytes.length, 0)) throw new Error(`${name}: out of memory`);
		heap().set(bytes, wasm.inputPtr());
	};
	const output = (n: number) => {
		if (n < 0) throw new Error(`${name}: error ${n}`);
		return heap().slice(wasm.outputPtr(), wasm.outputPtr() + n);
	};
	return {
		blocks: {
			name,
			compress(bytes) {
				input(bytes);
				return output(wasm.compressBlock(bytes.length));
			},
			decompress(block, size) {
				input(block);
				return output(wasm.decompressBlock(block.length, size));
			}
		},
		crc32(bytes) {
			input(bytes);
			return wasm.crc32Update(0, wasm.inputPtr(), bytes.length) >>> 0;
		}
	};
}
