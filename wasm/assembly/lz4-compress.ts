// LZ4 block compression (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md), the "fast"
// greedy parser of the reference implementation: a hash table of 4-byte sequences, a skip step that
// grows on incompressible input, and the block format's end-of-block rules.

import { wildCopy } from './copy';

/** Shortest match the format can express. */
const MIN_MATCH: usize = 4;
/** The last 5 bytes of a block are always literals (format rule). */
const LAST_LITERALS: usize = 5;
/** A match must start at least 12 bytes before the end of the block (format rule). */
const MF_LIMIT: usize = 12;
/** Offsets are 16-bit. */
const MAX_DISTANCE: u32 = 65535;
/** 2^12 entries × 4 bytes = 16 KiB: the reference's default (LZ4_MEMORY_USAGE 14), fits in L1. */
const HASH_LOG: u32 = 12;
const HASH_TABLE: usize = memory.data(<i32>(4 << HASH_LOG), 64);
/** After 2^6 misses in a row the search step grows by one byte: fast skipping of random data. */
const SKIP_TRIGGER: u32 = 6;
/**
 * Table entries are absolute positions `positionBase + offset`. Each call moves the base past the
 * previous input, so stale entries from earlier calls fail the `>= base` test and the 16 KiB table
 * needs no clearing per call (16 KiB of clearing for a 1 KB chat message would be a large share of its
 * cost). When the base
 * nears 2^32 the table is cleared and the base restarts; 1 keeps the zero-filled table invalid.
 */
let positionBase: u32 = 1;
const BASE_RESET_AT: u64 = 0xffff0000;

/** Worst-case compressed size of `n` bytes (LZ4_COMPRESSBOUND). */
export function compressBound(n: usize): usize {
  return n + n / 255 + 16;
}

/**
 * Inputs from this size on hash 5 bytes, smaller ones 4: liblz4's choice (LZ4_64Klimit, where it switches
 * from its 16-bit to its 32-bit table). Measured on the bench inputs: hashing 5 bytes finds longer
 * matches in big text (10 MB English-like: 10.3% smaller output, equal to liblz4 to the byte count's
 * 0.002%; 66 KB JSON: 3.8% smaller) but loses 1.9% on a 1 KB chat message, where hashing 4 is within
 * 0.13% of liblz4.
 */
const HASH5_FROM: usize = 65536 + MF_LIMIT - 1;

/**
 * The table slot of the sequence at `p`. `W` is the width read: u32 hashes those 4 bytes
 * (× 2654435761, Knuth's multiplicative hash, as LZ4_hash4), u64 the low 5 of 8 (LZ4_hash5's prime).
 * Callers guarantee 8 readable bytes at `p` for u64 (p <= end − MF_LIMIT).
 */
// @ts-ignore: decorator
@inline function hashAt<W>(p: usize): usize {
  if (sizeof<W>() == 8) return <usize>(((load<u64>(p) << 24) * 889523592379) >> (64 - <u64>HASH_LOG));
  return <usize>((load<u32>(p) * 2654435761) >>> (32 - HASH_LOG));
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

/** Literal runs up to this long are copied in 16-byte steps (`memory.copy` costs more for them). */
const WILD_COPY_MAX: usize = 64;

/**
 * Copies `n` literal bytes. Short runs (the common case) use 16-byte steps when both ends have
 * room for them; the extra bytes land inside the destination and are overwritten by what follows.
 */
// @ts-ignore: decorator
@inline function copyLiterals(op: usize, ip: usize, n: usize, oend: usize, iend: usize): void {
  if (n <= WILD_COPY_MAX && op + WILD_COPY_MAX <= oend && ip + WILD_COPY_MAX <= iend) {
    wildCopy(op, ip, n);
  } else {
    memory.copy(op, ip, n);
  }
}

/**
 * Compresses `srcLen` bytes at `src` into at most `dstCap` bytes at `dst`. Returns the compressed size,
 * or 0 when the output would not fit in `dstCap`: with `dstCap = srcLen - 1` this is the cheap
 * "does compression pay?" test; with `compressBound(srcLen)` it always fits.
 */
export function lz4Compress(src: usize, srcLen: usize, dst: usize, dstCap: usize): usize {
  return srcLen >= HASH5_FROM ? compressWith<u64>(src, srcLen, dst, dstCap) : compressWith<u32>(src, srcLen, dst, dstCap);
}

/**
 * lz4Compress with the hash of width `W` (see hashAt): two copies of one loop, chosen per call. Not
 * @inline: inlining both into lz4Compress measured slower (66 KB JSON: 48-182 vs 74-251 MB/s, two runs).
 */
function compressWith<W>(src: usize, srcLen: usize, dst: usize, dstCap: usize): usize {
  if (<u64>positionBase + <u64>srcLen + 1 >= BASE_RESET_AT) {
    memory.fill(HASH_TABLE, 0, 4 << HASH_LOG);
    positionBase = 1;
  }
  const base = positionBase;
  positionBase += <u32>srcLen + 1;

  const iend = src + srcLen;
  const oend = dst + dstCap;
  let ip = src;
  let anchor = src;
  let op = dst;

  if (srcLen > MF_LIMIT) {
    const mfLimit = iend - MF_LIMIT;
    const matchLimit = iend - LAST_LITERALS;
    while (true) {
      // Find the next match: probe the hash table, stepping faster after many misses.
      let matchPos: usize = 0;
      let found = false;
      let attempts: u32 = 1 << SKIP_TRIGGER;
      while (ip <= mfLimit) {
        const sequence = load<u32>(ip);
        const slot = HASH_TABLE + (hashAt<W>(ip) << 2);
        const candidate = load<u32>(slot);
        const here = base + <u32>(ip - src);
        store<u32>(slot, here);
        if (candidate >= base && here - candidate <= MAX_DISTANCE) {
          const m = src + <usize>(candidate - base);
          if (load<u32>(m) == sequence) {
            matchPos = m;
            found = true;
            break;
          }
        }
        ip += <usize>(attempts++ >> SKIP_TRIGGER);
      }
      if (!found) break;

      // Extend backwards over literals that also match.
      while (ip > anchor && matchPos > src && load<u8>(ip - 1) == load<u8>(matchPos - 1)) {
        ip--;
        matchPos--;
      }
      const matchLen = MIN_MATCH + commonLength(ip + MIN_MATCH, matchPos + MIN_MATCH, matchLimit);
      const litLen = ip - anchor;

      // Worst case for this sequence: token, literal length bytes, literals, offset, match length bytes.
      if (op + litLen + litLen / 255 + matchLen / 255 + 5 > oend) return 0;
      const token = op++;
      if (litLen >= 15) {
        store<u8>(token, 15 << 4);
        op = writeLength(op, litLen - 15);
      } else {
        store<u8>(token, <u8>(litLen << 4));
      }
      copyLiterals(op, anchor, litLen, oend, iend);
      op += litLen;
      store<u16>(op, <u16>(ip - matchPos));
      op += 2;
      const mlCode = matchLen - MIN_MATCH;
      if (mlCode >= 15) {
        store<u8>(token, load<u8>(token) | 15);
        op = writeLength(op, mlCode - 15);
      } else {
        store<u8>(token, load<u8>(token) | <u8>mlCode);
      }

      ip += matchLen;
      anchor = ip;
      if (ip > mfLimit) break;
      // Index a position inside the match we skipped: cheap, and it finds the next match sooner.
      const back = ip - 2;
      store<u32>(HASH_TABLE + (hashAt<W>(back) << 2), base + <u32>(back - src));
    }
  }

  // The last literals (at least the final 5 bytes, or the whole input when it is tiny).
  const lastLen = iend - anchor;
  if (op + 1 + lastLen + (lastLen + 255 - 15) / 255 > oend) return 0;
  if (lastLen >= 15) {
    store<u8>(op++, 15 << 4);
    op = writeLength(op, lastLen - 15);
  } else {
    store<u8>(op++, <u8>(lastLen << 4));
  }
  memory.copy(op, anchor, lastLen);
  op += lastLen;
  return op - dst;
}
