// LZ4 block decompression that is safe on hostile input: every read stays inside [src, src + srcLen),
// every write inside [dst, dst + dstCap), every match points inside the bytes already written, and each
// loop step consumes at least one input byte, so it always terminates. `dstCap` is the output limit;
// a block that would produce more (a decompression bomb) is rejected as soon as a length says so.

import { copy16, copy32, wildCopy } from './copy';

/** Returned for any malformed block, including one that would exceed the output limit. */
export const LZ4_CORRUPT: i32 = -1;

const MIN_MATCH: usize = 4;
/**
 * Runs up to this long are copied in 16-byte steps instead of `memory.copy`, whose call costs
 * more than the copy itself for short runs in V8 (measured: about 10% faster decoding of the JSON and
 * English-like benchmark inputs, whose literal runs and matches are mostly 16-64 bytes).
 */
const WILD_COPY_MAX: usize = 64;
/** Input room for the fast path: token, 16 literal bytes (14 used), 2 offset bytes, with margin. */
const FAST_INPUT_ROOM: usize = 32;
/** Output room for the fast path: 16 literal bytes then 32 match bytes (at most 14 + 18 used). */
const FAST_OUTPUT_ROOM: usize = 64;

/**
 * Decompresses the block at `src` into `dst`. Returns the decompressed size or LZ4_CORRUPT.
 * Fixed 16-byte copies (copy.ts: SIMD or two u64) are used only where both the source and the
 * destination have 16 bytes of room inside their real bounds, so speed never costs an out-of-bounds access.
 */
export function lz4Decompress(src: usize, srcLen: usize, dst: usize, dstCap: usize): i32 {
  if (srcLen == 0) return LZ4_CORRUPT;
  let ip = src;
  const iend = src + srcLen;
  let op = dst;
  const oend = dst + dstCap;

  // Past these points the fast path's fixed-size copies might cross a real bound.
  const ipSafe = iend >= src + FAST_INPUT_ROOM ? iend - FAST_INPUT_ROOM : src;
  const opSafe = dstCap >= FAST_OUTPUT_ROOM ? oend - FAST_OUTPUT_ROOM : dst;

  while (true) {
    if (ip >= iend) return LZ4_CORRUPT;
    const token = <usize>load<u8>(ip++);

    // Fast path for the common short sequence (both lengths in the token, < 15) far from either end:
    // one 16-byte literal copy and a 32-byte match copy, no length bytes, fewer checks.
    if (ip < ipSafe && op < opSafe && token < 0xf0 && (token & 15) != 15) {
      const lits = token >> 4;
      copy16(op, ip);
      ip += lits;
      op += lits;
      const offset = <usize>load<u16>(ip);
      ip += 2;
      const mlen = (token & 15) + MIN_MATCH;
      if (offset >= 16 && offset <= op - dst) {
        copy32(op, op - offset);
        op += mlen;
        continue;
      }
      if (offset == 0 || offset > op - dst) return LZ4_CORRUPT;
      copyShortOffset(op, op - offset, mlen, offset, oend);
      op += mlen;
      continue;
    }

    // Literals.
    let litLen = token >> 4;
    if (litLen == 15) {
      let b: usize;
      do {
        if (ip >= iend) return LZ4_CORRUPT;
        b = <usize>load<u8>(ip++);
        litLen += b;
        // Also bounds the running sum, so 255-runs cannot overflow it.
        if (litLen > dstCap) return LZ4_CORRUPT;
      } while (b == 255);
    }
    if (litLen > iend - ip || litLen > oend - op) return LZ4_CORRUPT;
    if (litLen <= 16 && ip + 16 <= iend && op + 16 <= oend) copy16(op, ip);
    else if (litLen <= WILD_COPY_MAX && ip + WILD_COPY_MAX <= iend && op + WILD_COPY_MAX <= oend) {
      wildCopy(op, ip, litLen);
    } else memory.copy(op, ip, litLen);
    ip += litLen;
    op += litLen;

    // The last sequence of a block has literals only and ends exactly at the end of the input.
    if (ip == iend) break;

    // Match.
    if (iend - ip < 2) return LZ4_CORRUPT;
    const offset = <usize>load<u16>(ip);
    ip += 2;
    if (offset == 0 || offset > op - dst) return LZ4_CORRUPT;
    let matchLen = token & 15;
    if (matchLen == 15) {
      let b: usize;
      do {
        if (ip >= iend) return LZ4_CORRUPT;
        b = <usize>load<u8>(ip++);
        matchLen += b;
        if (matchLen > dstCap) return LZ4_CORRUPT;
      } while (b == 255);
    }
    matchLen += MIN_MATCH;
    if (matchLen > oend - op) return LZ4_CORRUPT;

    const m = op - offset;
    if (offset >= 16) {
      // Each 16-byte chunk reads bytes at least 16 behind the write position, which are final.
      if (matchLen <= 32 && op + 32 <= oend) {
        copy32(op, m);
      } else if (matchLen <= WILD_COPY_MAX && op + WILD_COPY_MAX <= oend) {
        wildCopy(op, m, matchLen);
      } else if (offset >= matchLen) {
        memory.copy(op, m, matchLen);
      } else {
        copyForward(op, m, matchLen, oend, 16);
      }
    } else {
      copyShortOffset(op, m, matchLen, offset, oend);
    }
    op += matchLen;
  }
  return <i32>(op - dst);
}

/** A match closer than 16 bytes behind the write position (it overlaps what it produces). */
// @ts-ignore: decorator
@inline function copyShortOffset(op: usize, m: usize, n: usize, offset: usize, oend: usize): void {
  if (offset == 1) {
    // A run of one repeated byte (the common RLE case).
    memory.fill(op, load<u8>(m), n);
  } else if (offset >= 8) {
    copyForward(op, m, n, oend, 8);
  } else {
    for (let i: usize = 0; i < n; i++) store<u8>(op + i, load<u8>(m + i));
  }
}

/**
 * Overlapping match copy (offset < length) in chunks no larger than the offset, so every chunk reads
 * only bytes written before it; the tail that lacks room for a whole chunk goes byte by byte.
 */
// @ts-ignore: decorator
@inline function copyForward(op: usize, m: usize, n: usize, oend: usize, chunk: usize): void {
  const end = op + n;
  if (chunk == 16) {
    while (op + 16 <= end || (op < end && op + 16 <= oend)) {
      copy16(op, m);
      op += 16;
      m += 16;
    }
  } else {
    while (op + 8 <= end || (op < end && op + 8 <= oend)) {
      store<u64>(op, load<u64>(m));
      op += 8;
      m += 8;
    }
  }
  while (op < end) store<u8>(op++, load<u8>(m++));
}
