// The Murmur frame (byte-by-byte layout and the reasons for each field in wasm/README.md):
//
//   0  2  magic "MR" (0x4D 0x52)        12  4  stored length (bytes after the header)
//   2  1  version (1)                   16  4  payload length (after decompression)
//   3  1  message type                  20  4  CRC-32/IEEE of the (uncompressed) payload
//   4  1  flags (bit 0: LZ4 block)      24     stored payload
//   5  1  reserved, 0
//   6  6  sequence number, u48
//
// All integers are little-endian (WebAssembly's native order: plain loads, no byte swapping).

import { crc32Update } from './crc32';
import { compressBound, lz4Compress } from './lz4-compress';
import { LZ4_CORRUPT, lz4Decompress } from './lz4-decompress';
import { inputPtr, outputPtr, reserve } from './scratch';

const HEADER_BYTES: usize = 24;
const MAGIC: u16 = 0x524d; // "MR" read little-endian
const VERSION: u8 = 1;
const FLAG_LZ4: u8 = 1;
const KNOWN_FLAGS: u8 = FLAG_LZ4;
/**
 * Below this many bytes LZ4 saves at most a handful of bytes (a block needs 13 bytes before it may
 * contain a match, and each match costs 3 bytes of overhead), so we skip the work.
 */
const MIN_COMPRESS_BYTES: usize = 64;
/** Most output bytes one input byte of an LZ4 block can produce (see decompressBlock). */
const LZ4_MAX_EXPANSION: usize = 255;

// Error codes; the wrapper maps them to CodecError reasons. Keep in sync with src/lib/protocol/codec.ts.
export const ERR_BAD_MAGIC: i32 = -1;
export const ERR_UNSUPPORTED_VERSION: i32 = -2;
export const ERR_BAD_HEADER: i32 = -3;
export const ERR_TRUNCATED: i32 = -4;
export const ERR_LENGTH_MISMATCH: i32 = -5;
export const ERR_CRC_MISMATCH: i32 = -6;
export const ERR_CORRUPT_LZ4: i32 = -7;
export const ERR_TOO_LARGE: i32 = -8;
export const ERR_OUT_OF_MEMORY: i32 = -9;

// Header of the last decoded frame, read by the wrapper through the getters in index.ts.
let lastType: u32 = 0;
let lastFlags: u32 = 0;
let lastSeqLow: u32 = 0;
let lastSeqHigh: u32 = 0;
let lastPayload: usize = 0;

/**
 * Encodes the `len`-byte payload in the input buffer as a frame in the output buffer; returns the frame
 * length or a negative error. `seq` is a double holding an integer in [0, 2^48), checked by the wrapper.
 */
export function encodeFrame(type: u32, seq: f64, len: usize, allowCompression: bool): i32 {
  if (!reserve(0, HEADER_BYTES + len)) return ERR_OUT_OF_MEMORY;
  const src = inputPtr();
  const out = outputPtr();
  let flags: u8 = 0;
  let stored: usize = 0;
  if (allowCompression && len >= MIN_COMPRESS_BYTES) {
    // Capacity len - 1: the compressor gives up (returns 0) as soon as it cannot beat the raw size.
    stored = lz4Compress(src, len, out + HEADER_BYTES, len - 1);
    if (stored != 0) flags |= FLAG_LZ4;
  }
  if (stored == 0) {
    memory.copy(out + HEADER_BYTES, src, len);
    stored = len;
  }
  const s = <u64>seq;
  store<u16>(out, MAGIC);
  store<u8>(out, VERSION, 2);
  store<u8>(out, <u8>type, 3);
  store<u8>(out, flags, 4);
  store<u8>(out, 0, 5);
  store<u32>(out, <u32>s, 6);
  store<u16>(out, <u16>(s >> 32), 10);
  store<u32>(out, <u32>stored, 12);
  store<u32>(out, <u32>len, 16);
  store<u32>(out, crc32Update(0, src, len), 20);
  return <i32>(HEADER_BYTES + stored);
}

/**
 * Decodes the `len`-byte frame in the input buffer. Returns the payload length (the payload is at
 * `lastPayloadPtr()`) or a negative error. Checks run cheapest-first and before any allocation:
 * magic, version, header, declared size against `maxPayload`, lengths, then LZ4, then the CRC.
 */
export function decodeFrame(len: usize, maxPayload: usize): i32 {
  const f = inputPtr();
  if (len >= 2 && load<u16>(f) != MAGIC) return ERR_BAD_MAGIC;
  if (len >= 3 && load<u8>(f, 2) != VERSION) return ERR_UNSUPPORTED_VERSION;
  if (len < HEADER_BYTES) return ERR_TRUNCATED;
  const flags = load<u8>(f, 4);
  if ((flags & ~KNOWN_FLAGS) != 0 || load<u8>(f, 5) != 0) return ERR_BAD_HEADER;
  const stored = <usize>load<u32>(f, 12);
  const payloadLen = <usize>load<u32>(f, 16);
  if (payloadLen > maxPayload) return ERR_TOO_LARGE;
  if (stored > len - HEADER_BYTES) return ERR_TRUNCATED;
  if (stored < len - HEADER_BYTES) return ERR_LENGTH_MISMATCH;

  let payload = f + HEADER_BYTES;
  if (flags & FLAG_LZ4) {
    // An encoder only sets the flag when compression made the payload strictly smaller.
    if (stored >= payloadLen) return ERR_LENGTH_MISMATCH;
    if (!reserve(0, payloadLen)) return ERR_OUT_OF_MEMORY;
    payload = outputPtr();
    const n = lz4Decompress(f + HEADER_BYTES, stored, payload, payloadLen);
    if (n == LZ4_CORRUPT) return ERR_CORRUPT_LZ4;
    if (<usize>n != payloadLen) return ERR_LENGTH_MISMATCH;
  } else if (stored != payloadLen) {
    return ERR_LENGTH_MISMATCH;
  }
  if (crc32Update(0, payload, payloadLen) != load<u32>(f, 20)) return ERR_CRC_MISMATCH;

  lastType = load<u8>(f, 3);
  lastFlags = flags;
  lastSeqLow = load<u32>(f, 6);
  lastSeqHigh = load<u16>(f, 10);
  lastPayload = payload;
  return <i32>payloadLen;
}

/** The header size, so the wrapper can check its own constant against the module it loaded. */
export function frameHeaderBytes(): u32 {
  return <u32>HEADER_BYTES;
}

export function lastFrameType(): u32 {
  return lastType;
}

export function lastFrameFlags(): u32 {
  return lastFlags;
}

/** The u48 sequence number as a double: exact, since every 48-bit integer is a JS safe integer. */
export function lastFrameSeq(): f64 {
  return <f64>lastSeqHigh * 4294967296.0 + <f64>lastSeqLow;
}

export function lastPayloadPtr(): usize {
  return lastPayload;
}

/** Raw LZ4 block of the input buffer into the output buffer (benchmarks, interop tests). */
export function compressBlock(len: usize): i32 {
  if (!reserve(0, compressBound(len))) return ERR_OUT_OF_MEMORY;
  return <i32>lz4Compress(inputPtr(), len, outputPtr(), compressBound(len));
}

/**
 * Raw LZ4 block in the input buffer, decompressed into the output buffer up to `maxOut` bytes. Memory
 * never shrinks, so only what this block can produce is reserved, not all of `maxOut`: every input byte
 * yields at most LZ4_MAX_EXPANSION output bytes (a match costs at least 3 bytes for 19 bytes of output,
 * each further length byte adds 255; a literal costs itself), so a 2-byte block with a 2 GiB limit needs
 * one page. The wrapper also caps `maxOut` at its payload limit.
 */
export function decompressBlock(len: usize, maxOut: usize): i32 {
  const cap = len <= maxOut / LZ4_MAX_EXPANSION ? len * LZ4_MAX_EXPANSION : maxOut;
  if (!reserve(0, cap)) return ERR_OUT_OF_MEMORY;
  const n = lz4Decompress(inputPtr(), len, outputPtr(), cap);
  return n == LZ4_CORRUPT ? ERR_CORRUPT_LZ4 : n;
}
