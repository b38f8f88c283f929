// LZ4 block compression (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md), the "fast"
// greedy parser of the reference implementation: a hash table of 4- or 5-byte sequences, a skip step
// that grows on incompressible input, and the block format's end-of-block rules. The loop is liblz4's
// LZ4_compress_generic: the next position's hash is computed while the current candidate is checked,
// and after each match the position right behind it is tried at once (a match there needs no literals).

import { copy16 } from './copy';

/** Shortest match the format can express. */
const MIN_MATCH: usize = 4;
/** The last 5 bytes of a block are always literals (format rule). */
const LAST_LITERALS: usize = 5;
/** A match must start at least 12 bytes before the end of the block (format rule). */
const MF_LIMIT: usize = 12;
/** Offsets are 16-bit. */
const MAX_DISTANCE: u32 = 65535;
/**
 * Table sizes, log2 of the entry count (u32 entries). Inputs under 64 KiB + 11 hash 4 bytes into 2^13
 * entries (liblz4's 16-bit table for inputs under 64 KB has 2^13 too). Larger ones hash 5 bytes: into
 * 2^13 entries (32 KiB) up to HASH5_BIG_FROM, into 2^15 (128 KiB, eight times liblz4's 2^12) from there.
 * In the English-like 10 MB bench input 76% of matches start right where the previous one ended, so the
 * time goes per match and per failed probe, and a larger table finds longer matches with fewer probes:
 * 2^12 → 2^14 made it 1.15× faster (CPU time, interleaved runs) and 5.2% smaller, 2^14 → 2^15 (with
 * ip − 1 indexed too, below) 1.03× and 0.8%; 2^16 and 2^17 were slower again (0.99×, 0.91× on an AMD
 * EPYC). But 128 KiB sits in L2, and a 66 KB input touches few entries of it, each on its own cache
 * line: there 2^13 entries (32 KiB, inside the EPYC's 48 KiB L1d) compress the bench's 66 KB JSON 1.18×
 * faster (the bare compressor, interleaved CPU-time rounds) for 2.9% more bytes, still 3.1% fewer than
 * liblz4's; 2^14 gave 1.07×, 2^12 1.25× but only 0.2% under liblz4's size. English-like text gained
 * from 2^13 up to about 100 KB (1.20× at 70 KB) and lost from 130 KB on (0.93×; 200 KB 0.87×).
 */
const HASH_LOG4: u32 = 13;
const HASH_LOG5_MID: u32 = 13;
const HASH_LOG5: u32 = 15;
const HASH_ENTRIES: usize = 1 << HASH_LOG5;
const HASH_TABLE: usize = memory.data(<i32>(HASH_ENTRIES * 4), 64);
/** After 2^6 misses in a row the search step grows by one byte: fast skipping of random data. */
const SKIP_TRIGGER: u32 = 6;

/**
 * Bytes past `dst + dstCap` the compressor may overwrite (literals are copied in 16-byte steps, so up
 * to 15 bytes past the last literal), and the input may be read up to 3 bytes past its end the same
 * way. Callers reserve this much extra room in the output buffer, which lies right behind the input
 * buffer (scratch.ts), so both stay inside memory; those bytes are garbage and never part of the block.
 */
export const COMPRESS_SLACK: usize = 16;

/**
 * Table entries are positions `base + offset`, and each call starts its base a whole window (2^16)
 * past the previous call's last position. An entry from an earlier call (or a never-written zero) is
 * then always more than MAX_DISTANCE behind any position of this call, so the one distance test
 * rejects it and the table needs no clearing per call (clearing 128 KiB for a 1 KB chat message would
 * cost more than compressing it). When the base nears 2^32 the table is cleared and it restarts.
 */
const WINDOW: u32 = 65536;
let positionBase: u32 = WINDOW;
const BASE_RESET_AT: u64 = 0xfff00000;

/** Worst-case compressed size of `n` bytes (LZ4_COMPRESSBOUND). */
export function compressBound(n: usize): usize {
  return n + n / 255 + 16;
}

/**
 * Inputs from this size on hash 5 bytes, smaller ones 4: liblz4's choice (LZ4_64Klimit, where it switches
 * from its 16-bit to its 32-bit table). Hashing 5 bytes finds longer matches in big text and JSON but
 * loses 1.9% on a 1 KB chat message, where hashing 4 is equal to liblz4.
 */
const HASH5_FROM: usize = 65536 + MF_LIMIT - 1;
/** Inputs from this size on use the 2^15-entry table, smaller 5-byte-hash ones 2^13 (see HASH_LOG4). */
const HASH5_BIG_FROM: usize = 96 * 1024;

/**
 * The table slot of the sequence at `p`. `W` is the width read: u32 hashes those 4 bytes
 * (× 2654435761, Knuth's multiplicative hash, as LZ4_hash4), u64 the low 5 of 8 (LZ4_hash5's prime).
 * Callers guarantee 8 readable bytes at `p` for u64 (p <= end − MF_LIMIT + 1).
 */
// @ts-ignore: decorator
@inline function hashAt<W>(p: usize, log: u32): usize {
  return hashOf<W>(sizeof<W>() == 8 ? load<u64>(p) : <u64>load<u32>(p), log);
}

/** hashAt of bytes already loaded: the low 4 (u32) or 5 (u64) bytes of `v`. */
// @ts-ignore: decorator
@inline function hashOf<W>(v: u64, log: u32): usize {
  if (sizeof<W>() == 8) return <usize>(((v << 24) * 889523592379) >> (64 - <u64>log));
  return <usize>((<u32>v * 2654435761) >>> (32 - log));
}

/** The table entry for hash `h` (the table's address is an immediate offset of the access). */
// @ts-ignore: decorator
@inline function entryAt(h: usize): u32 {
  return load<u32>(h << 2, HASH_TABLE);
}

// @ts-ignore: decorator
@inline function setEntry(h: usize, position: u32): void {
  store<u32>(h << 2, position, HASH_TABLE);
}

/** Length of the common prefix of `p` and `m`, not reading at or past `limit` on the `p` side. */
// @ts-ignore: decorator
@inline function commonLength(p: usize, m: usize, limit: usize): usize {
  const start = p;
  while (p + 8 <= limit) {
    const diff = load<u64>(p) ^ load<u64>(m);
    if (diff != 0) return p - start + <usize>(ctz(diff) >> 3);
    p += 8;
    m += 8;
  }
  while (p < limit && load<u8>(p) == load<u8>(m)) {
    p++;
    m++;
  }
  return p - start;
}

/** Writes a length continuation (the part of a length over 15) as 255-bytes and a remainder. */
// @ts-ignore: decorator
@inline function writeLength(op: usize, rest: usize): usize {
  while (rest >= 255) {
    store<u8>(op++, 255);
    rest -= 255;
  }
  store<u8>(op++, <u8>rest);
  return op;
}

/**
 * Compresses `srcLen` bytes at `src` into at most `dstCap` bytes at `dst` (which must have
 * COMPRESS_SLACK more writable bytes behind it). Returns the compressed size, or 0 when the output
 * would not fit in `dstCap`: with `dstCap = srcLen - 1` this is the cheap "does compression pay?"
 * test; with `compressBound(srcLen)` it always fits.
 */
export function lz4Compress(src: usize, srcLen: usize, dst: usize, dstCap: usize): usize {
  if (srcLen < HASH5_FROM) return compressSmall(src, srcLen, dst, dstCap);
  if (srcLen < HASH5_BIG_FROM) return compressMid(src, srcLen, dst, dstCap);
  return compressBig(src, srcLen, dst, dstCap);
}

// Three copies of one loop (compressWith, inlined into each), chosen per call by size: the hash width
// and table size are constants inside each.
function compressSmall(src: usize, srcLen: usize, dst: usize, dstCap: usize): usize {
  return compressWith<u32>(src, srcLen, dst, dstCap, HASH_LOG4);
}

function compressMid(src: usize, srcLen: usize, dst: usize, dstCap: usize): usize {
  return compressWith<u64>(src, srcLen, dst, dstCap, HASH_LOG5_MID);
}

function compressBig(src: usize, srcLen: usize, dst: usize, dstCap: usize): usize {
  return compressWith<u64>(src, srcLen, dst, dstCap, HASH_LOG5);
}

/** The last literals (at least the final 5 bytes, or the whole input when it is tiny); the block's size. */
// @ts-ignore: decorator
@inline function finish(op: usize, anchor: usize, iend: usize, oend: usize, dst: usize): usize {
  const lastLen = iend - anchor;
  if (op + 1 + lastLen + (lastLen + 255 - 15) / 255 > oend) return 0;
  if (lastLen >= 15) {
    store<u8>(op++, 15 << 4);
    op = writeLength(op, lastLen - 15);
  } else {
    store<u8>(op++, <u8>(lastLen << 4));
  }
  memory.copy(op, anchor, lastLen);
  return op + lastLen - dst;
}

/**
 * lz4Compress with the hash of width `W` (see hashAt) into 2^`log` table entries. Inlined into the
 * three callers above, so each is one loop with constants; inlining them all into lz4Compress measured
 * slower.
 */
// @ts-ignore: decorator
@inline function compressWith<W>(src: usize, srcLen: usize, dst: usize, dstCap: usize, log: u32): usize {
  if (<u64>positionBase + <u64>srcLen + <u64>WINDOW >= BASE_RESET_AT) {
    memory.fill(HASH_TABLE, 0, HASH_ENTRIES * 4);
    positionBase = WINDOW;
  }
  // A position's table value is `ip + delta` (u32 arithmetic wraps), a candidate's address `value - delta`.
  const delta: u32 = positionBase - <u32>src;
  positionBase += <u32>srcLen + WINDOW;

  const iend = src + srcLen;
  const oend = dst + dstCap;
  let anchor = src;
  let op = dst;
  if (srcLen <= MF_LIMIT) return finish(op, anchor, iend, oend, dst);

  // No match may start past iend - MF_LIMIT; the search reads 8 bytes at up to searchEnd.
  const searchEnd = iend - MF_LIMIT + 1;
  const matchLimit = iend - LAST_LITERALS;
  let ip = src;
  let h = hashAt<W>(ip, log);
  while (true) {
    // Find the next match: probe the hash table, stepping faster after many misses.
    let forward = ip;
    let attempts: u32 = 1 << SKIP_TRIGGER;
    let step: usize = 1;
    let m: usize = 0;
    while (true) {
      ip = forward;
      forward += step;
      step = <usize>(attempts++ >> SKIP_TRIGGER);
      if (forward > searchEnd) return finish(op, anchor, iend, oend, dst);
      const candidate = entryAt(h);
      const here = <u32>ip + delta;
      setEntry(h, here);
      h = hashAt<W>(forward, log);
      if (here - candidate <= MAX_DISTANCE) {
        m = <usize>(candidate - delta);
        if (load<u32>(m) == load<u32>(ip)) break;
      }
    }

    // Extend backwards over literals that also match.
    while (ip > anchor && m > src && load<u8>(ip - 1) == load<u8>(m - 1)) {
      ip--;
      m--;
    }

    // Token, literal length, literals. Worst case up to the match: token, length bytes, literals, offset.
    const litLen = ip - anchor;
    if (op + litLen + litLen / 255 + (3 + LAST_LITERALS) > oend) return 0;
    let token = op++;
    let tokenBits: u32 = 15 << 4;
    if (litLen >= 15) op = writeLength(op, litLen - 15);
    else tokenBits = <u32>litLen << 4;
    let k: usize = 0;
    do {
      copy16(op + k, anchor + k);
      k += 16;
    } while (k < litLen);
    op += litLen;

    // The match, then as long as the next position matches too, further matches without literals.
    while (true) {
      store<u16>(op, <u16>(ip - m));
      op += 2;
      // Match length past the 4 bytes known to match, first 8 bytes in one u64 xor. Those words also
      // hold the bytes at the position right behind the match (`next`, at least 5 valid: shifted by
      // the length, from `a` or from `b` 4 bytes further), so hashing and checking that position
      // waits for no load after the length is known: 1.03-1.05x on (a), (b), (c), the same blocks.
      let mlCode: usize;
      let next: u64;
      const p = ip + MIN_MATCH;
      if (p + 8 <= matchLimit) {
        const a = load<u64>(p);
        const b = load<u64>(p, 4);
        const diff = a ^ load<u64>(m + MIN_MATCH);
        if (diff != 0) {
          mlCode = <usize>(ctz(diff) >> 3);
          next = mlCode <= 3 ? a >> (<u64>mlCode << 3) : b >> (<u64>(mlCode - 4) << 3);
        } else {
          mlCode = 8 + commonLength(p + 8, m + MIN_MATCH + 8, matchLimit);
          next = load<u64>(p + mlCode);
        }
      } else {
        // Near the end; `next` may read up to 3 bytes past the input (see COMPRESS_SLACK).
        mlCode = commonLength(p, m + MIN_MATCH, matchLimit);
        next = load<u64>(p + mlCode);
      }
      ip += mlCode + MIN_MATCH;
      if (mlCode >= 15) {
        if (op + mlCode / 255 + (1 + LAST_LITERALS) > oend) return 0;
        store<u8>(token, <u8>(tokenBits | 15));
        op = writeLength(op, mlCode - 15);
      } else {
        store<u8>(token, <u8>(tokenBits | <u32>mlCode));
      }
      anchor = ip;
      if (ip >= searchEnd) return finish(op, anchor, iend, oend, dst);
      // Index the two positions before the next one, inside the match we skipped: cheap, and the
      // next match is found sooner (liblz4 indexes ip - 2; ip - 1 too measured 1% faster on (a) and (c)).
      setEntry(hashAt<W>(ip - 2, log), <u32>(ip - 2) + delta);
      setEntry(hashAt<W>(ip - 1, log), <u32>(ip - 1) + delta);
      const hn = hashOf<W>(next, log);
      const candidate = entryAt(hn);
      const here = <u32>ip + delta;
      setEntry(hn, here);
      if (here - candidate > MAX_DISTANCE) break;
      m = <usize>(candidate - delta);
      if (load<u32>(m) != <u32>next) break;
      if (op + (3 + LAST_LITERALS) > oend) return 0;
      token = op++;
      tokenBits = 0;
    }
    h = hashAt<W>(++ip, log);
  }
}
