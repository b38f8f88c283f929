// The Murmur frame, version 2 (byte-by-byte layout and the reasons for each field in wasm/README.md):
//
//   0  2  magic "MR" (0x4D 0x52)
//   2  1  version (2)
//   3  1  message type
//   4  1  flags (bit 0: the payload is one LZ4 block; bits 1-7 zero)
//   5  v  sequence number: unsigned LEB128, 1-7 bytes, < 2^48, shortest form
//   .  v  payload length after decompression: LEB128, 1-5 bytes, only when bit 0 is set
//   .  n  stored payload: everything up to the last 4 bytes
//  -4  4  CRC-32/IEEE of every byte before it (header and stored payload, as sent), little-endian
//
// The stored length is the message length minus header and CRC: a WebSocket message is already framed.

import { crc32Update } from './crc32';
import { COMPRESS_SLACK, compressBound, lz4Compress } from './lz4-compress';
import { LZ4_CORRUPT, lz4Decompress } from './lz4-decompress';
import { inputPtr, outputPtr, reserve } from './scratch';

const MAGIC: u16 = 0x524d; // "MR" read little-endian
const VERSION: u8 = 2;
const FLAG_LZ4: u8 = 1;
const KNOWN_FLAGS: u8 = FLAG_LZ4;
/** magic, version, type, flags. */
const FIXED_BYTES: usize = 5;
const CRC_BYTES: usize = 4;
const MAX_SEQ_BYTES: usize = 7; // 7 × 7 bits ≥ 48
const MAX_LENGTH_BYTES: usize = 5; // 5 × 7 bits ≥ 32
/** The smallest frame: fixed bytes, a 1-byte sequence number, an empty payload and the CRC. */
const MIN_FRAME_BYTES: usize = FIXED_BYTES + 1 + CRC_BYTES;
/** The largest header and trailer around a payload (the wrapper's frame-size limit adds it). */
const MAX_OVERHEAD_BYTES: usize = FIXED_BYTES + MAX_SEQ_BYTES + MAX_LENGTH_BYTES + CRC_BYTES;
const SEQ_LIMIT: u64 = 1 << 48;
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
let lastSeq: u64 = 0;
let lastPayload: usize = 0;
/** The version byte of the last frame refused as unsupported-version, for the wrapper's message. */
let lastVersion: u32 = 0;

/** Bytes of the LEB128 form of `v`. */
// @ts-ignore: decorator
@inline function varintBytes(v: u64): usize {
  let n: usize = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/** Writes `v` as LEB128 at `p`; returns the position after it. */
// @ts-ignore: decorator
@inline function writeVarint(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

/** Where readVarint stopped. */
let varintEnd: usize = 0;

/**
 * Reads a LEB128 value of at most `maxBytes` bytes starting at `p` and ending before `end`; sets
 * varintEnd. Returns ERR_TRUNCATED when it runs into `end`, ERR_BAD_HEADER for a longer or non-shortest
 * form (a trailing zero byte), so every value has exactly one encoding.
 */
function readVarint(p: usize, end: usize, maxBytes: usize): i64 {
  let v: u64 = 0;
  for (let i: usize = 0; i < maxBytes; i++) {
    if (p + i >= end) return ERR_TRUNCATED;
    const b = <u64>load<u8>(p + i);
    v |= (b & 0x7f) << (7 * <u64>i);
    if (b < 0x80) {
      if (b == 0 && i > 0) return ERR_BAD_HEADER;
      varintEnd = p + i + 1;
      return <i64>v;
    }
  }
  return ERR_BAD_HEADER;
}

/**
 * Encodes the `len`-byte payload in the input buffer as a frame in the output buffer; returns the frame
 * length or a negative error. `seq` is a double holding an integer in [0, 2^48), checked by the wrapper.
 * The payload is compressed when the whole frame gets strictly smaller (the LZ4 form also carries the
 * payload length).
 */
export function encodeFrame(type: u32, seq: f64, len: usize, allowCompression: bool): i32 {
  if (!reserve(0, MAX_OVERHEAD_BYTES + len + COMPRESS_SLACK)) return ERR_OUT_OF_MEMORY;
  const src = inputPtr();
  const out = outputPtr();
  store<u16>(out, MAGIC);
  store<u8>(out, VERSION, 2);
  store<u8>(out, <u8>type, 3);
  const afterSeq = writeVarint(out + FIXED_BYTES, <u64>seq);
  let flags: u8 = 0;
  let end: usize = 0;
  const lengthBytes = varintBytes(<u64>len);
  if (allowCompression && len >= MIN_COMPRESS_BYTES) {
    // Room len - lengthBytes - 1: the compressor gives up (returns 0) as soon as it cannot beat raw.
    const body = afterSeq + lengthBytes;
    const stored = lz4Compress(src, len, body, len - lengthBytes - 1);
    if (stored != 0) {
      flags = FLAG_LZ4;
      writeVarint(afterSeq, <u64>len);
      end = body + stored;
    }
  }
  if (flags == 0) {
    memory.copy(afterSeq, src, len);
    end = afterSeq + len;
  }
  store<u8>(out, flags, 4);
  store<u32>(end, crc32Update(0, out, end - out));
  return <i32>(end + CRC_BYTES - out);
}

/**
 * Decodes the `len`-byte frame in the input buffer. Returns the payload length (the payload is at
 * `lastPayloadPtr()`) or a negative error. Checks run cheapest-first and before any allocation:
 * magic, version, minimum length, the CRC over everything (so any damage to header or body stops here),
 * then the header fields, the declared size against `maxPayload`, and LZ4.
 */
export function decodeFrame(len: usize, maxPayload: usize): i32 {
  const f = inputPtr();
  if (len >= 2 && load<u16>(f) != MAGIC) return ERR_BAD_MAGIC;
  if (len >= 3 && load<u8>(f, 2) != VERSION) {
    lastVersion = load<u8>(f, 2);
    return ERR_UNSUPPORTED_VERSION;
  }
  if (len < MIN_FRAME_BYTES) return ERR_TRUNCATED;
  const end = f + len - CRC_BYTES;
  if (crc32Update(0, f, len - CRC_BYTES) != load<u32>(end)) return ERR_CRC_MISMATCH;

  const flags = load<u8>(f, 4);
  if ((flags & ~KNOWN_FLAGS) != 0) return ERR_BAD_HEADER;
  const seq = readVarint(f + FIXED_BYTES, end, MAX_SEQ_BYTES);
  if (seq < 0) return <i32>seq;
  if (<u64>seq >= SEQ_LIMIT) return ERR_BAD_HEADER;
  let body = varintEnd;
  let payloadLen: usize;
  let payload = body;
  if (flags & FLAG_LZ4) {
    const declared = readVarint(body, end, MAX_LENGTH_BYTES);
    if (declared < 0) return <i32>declared;
    if (<u64>declared > <u64>maxPayload) return ERR_TOO_LARGE;
    payloadLen = <usize>declared;
    body = varintEnd;
    const stored = end - body;
    // An encoder only sets the flag when compression made the payload strictly smaller.
    if (stored >= payloadLen) return ERR_LENGTH_MISMATCH;
    if (!reserve(0, payloadLen)) return ERR_OUT_OF_MEMORY;
    payload = outputPtr();
    const n = lz4Decompress(body, stored, payload, payloadLen);
    if (n == LZ4_CORRUPT) return ERR_CORRUPT_LZ4;
    if (<usize>n != payloadLen) return ERR_LENGTH_MISMATCH;
  } else {
    payloadLen = end - body;
    if (payloadLen > maxPayload) return ERR_TOO_LARGE;
  }

  lastType = load<u8>(f, 3);
  lastFlags = flags;
  lastSeq = <u64>seq;
  lastPayload = payload;
  return <i32>payloadLen;
}

/** The frame format version, so the wrapper can check its own constant against the module it loaded. */
export function frameVersion(): u32 {
  return VERSION;
}

/** The most bytes a frame adds around its payload (header and CRC). */
export function frameOverheadBytes(): u32 {
  return <u32>MAX_OVERHEAD_BYTES;
}

export function lastFrameType(): u32 {
  return lastType;
}

export function lastFrameFlags(): u32 {
  return lastFlags;
}

/** The u48 sequence number as a double: exact, since every 48-bit integer is a JS safe integer. */
export function lastFrameSeq(): f64 {
  return <f64>lastSeq;
}

export function lastPayloadPtr(): usize {
  return lastPayload;
}

export function lastFrameVersion(): u32 {
  return lastVersion;
}

/** Raw LZ4 block of the input buffer into the output buffer (benchmarks, interop tests). */
export function compressBlock(len: usize): i32 {
  if (!reserve(0, compressBound(len) + COMPRESS_SLACK)) return ERR_OUT_OF_MEMORY;
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
