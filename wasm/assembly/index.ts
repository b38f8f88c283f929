// The codec module's exports. No imports from the host: the stub runtime (no GC, we never allocate
// managed objects) and `--use abort=` leave nothing to import, so instantiation needs `{}` only.

import { initCrc32Tables } from './crc32';

export { crc32Update } from './crc32';
export { compressBound } from './lz4-compress';
export {
  compressBlock,
  decodeFrame,
  decompressBlock,
  encodeFrame,
  frameOverheadBytes,
  frameVersion,
  lastFrameFlags,
  lastFrameSeq,
  lastFrameType,
  lastFrameVersion,
  lastPayloadPtr
} from './frame';
export { inputPtr, outputPtr, reserve } from './scratch';

/** 1 in the SIMD build (codec.wasm), 0 in the scalar one (codec-scalar.wasm). */
export function simdBuild(): u32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

initCrc32Tables();
