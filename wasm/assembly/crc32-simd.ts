// CRC-32 with WebAssembly SIMD and no carry-less multiply: 16 lanes each run the byte-at-a-time CRC
//   c = T[(c ^ byte) & 0xff] ^ (c >>> 8)
// over its own 64-byte slice of a 1 KiB block, all at once. T is linear, so T[x] = T[x & 0x0f] ^
// T[x & 0xf0], and each half is a 16-entry table: `i8x16.swizzle` (x64 PSHUFB) looks one byte of it up
// for all 16 lanes in one instruction. The 32-bit lane states live in four byte vectors (byte 0..3 of
// every lane), so `c >>> 8` is just renaming them. A step is 8 swizzles and a dozen logic operations for
// 16 input bytes, where the scalar slicing-by-16 needs about 80 instructions.
//
// Lane k reads bytes k*64.. of the block, so each 16x16 tile of input is transposed first (4 rounds of
// 16 byte-interleaving shuffles). At the end of a block the 16 lane CRCs are joined with
//   crc(A ‖ B) = shift(crc(A), |B|) ^ crc(B),
// where shifting a raw CRC state over a fixed number of zero bytes is linear in its 32 bits, i.e. four
// 256-entry table lookups (tables built once from the byte table). A block's CRC starts from zero, so
// blocks do not wait on each other: the running CRC is shifted over a whole block and xored in.
//
// Built into the SIMD module only (`if (ASC_FEATURE_SIMD)` in crc32.ts); measured in wasm/README.md.

/**
 * Blocks are 16 lanes of 64 bytes; one 16 × 32-byte block takes a remainder of 512–1023 bytes, so a 1 KB
 * chat message gets the SIMD kernel too. 64 measured faster than 32 (fewer joins per byte) and than 256
 * (the transposed block outgrows L1 alongside the tables).
 */
const LANE_BYTES: usize = 64;
const SMALL_LANE_BYTES: usize = 32;
/** Input bytes per block: 16 lanes. */
export const CRC_SIMD_BLOCK: usize = 16 * LANE_BYTES;
/** The smallest input the kernel takes: one small block. */
export const CRC_SIMD_MIN: usize = 16 * SMALL_LANE_BYTES;

// Shift tables, 4 × 256 u32 each: a raw state shifted over 32, 64, 512 and 1024 zero bytes.
const SHIFT_32: usize = memory.data(<i32>(4 * 1024), 64);
const SHIFT_64: usize = memory.data(<i32>(4 * 1024), 64);
const SHIFT_512: usize = memory.data(<i32>(4 * 1024), 64);
const SHIFT_1024: usize = memory.data(<i32>(4 * 1024), 64);
/** 8 nibble tables (low nibble → byte 0..3 of T, high nibble → byte 0..3) and the 0x0f mask. */
const NIBBLES: usize = memory.data(<i32>(9 * 16), 16);
/** The transposed block, and the 16 lane states spilled for the join (32 words: also table building). */
const TRANSPOSED: usize = memory.data(<i32>CRC_SIMD_BLOCK, 16);
const WORDS: usize = memory.data(<i32>(32 * 4), 16);

/** A raw state shifted over the zero bytes of `table` (four lookups: the shift is linear). */
// @ts-ignore: decorator
@inline function shift(table: usize, c: u32): u32 {
  return load<u32>(table + ((<usize>c & 0xff) << 2)) ^ load<u32>(table + 1024 + (((<usize>c >>> 8) & 0xff) << 2)) ^
    load<u32>(table + 2048 + (((<usize>c >>> 16) & 0xff) << 2)) ^ load<u32>(table + 3072 + ((<usize>c >>> 24) << 2));
}

/** Fills `table` from the images of the 32 single-bit states in WORDS (entry b = xor of its bits' images). */
function expandShiftTable(table: usize): void {
  for (let j: usize = 0; j < 4; j++) {
    store<u32>(table + (j << 10), 0);
    for (let b: usize = 1; b < 256; b++) {
      const low = ctz(b);
      store<u32>(table + (j << 10) + (b << 2), load<u32>(table + (j << 10) + ((b & (b - 1)) << 2)) ^ load<u32>(WORDS + ((8 * j + low) << 2)));
    }
  }
}

/** Builds `to` as `from` applied `times` times (shifting over times × from's distance). */
function repeatShift(from: usize, times: u32, to: usize): void {
  for (let bit: usize = 0; bit < 32; bit++) {
    let c: u32 = 1 << <u32>bit;
    for (let i: u32 = 0; i < times; i++) c = shift(from, c);
    store<u32>(WORDS + (bit << 2), c);
  }
  expandShiftTable(to);
}

/** Builds the tables from the 256-entry byte table at `byteTable`; runs once at module start. */
export function initCrc32Simd(byteTable: usize): void {
  // Over 32 zero bytes, byte by byte, for the 32 single-bit states; the longer shifts from that.
  for (let bit: usize = 0; bit < 32; bit++) {
    let c: u32 = 1 << <u32>bit;
    for (let i: usize = 0; i < SMALL_LANE_BYTES; i++) c = load<u32>(byteTable + ((<usize>c & 0xff) << 2)) ^ (c >>> 8);
    store<u32>(WORDS + (bit << 2), c);
  }
  expandShiftTable(SHIFT_32);
  repeatShift(SHIFT_32, 2, SHIFT_64);
  repeatShift(SHIFT_32, 16, SHIFT_512);
  repeatShift(SHIFT_512, 2, SHIFT_1024);
  for (let n: u32 = 0; n < 16; n++) {
    const low = load<u32>(byteTable + (<usize>n << 2));
    const high = load<u32>(byteTable + (<usize>(n << 4) << 2));
    for (let j: u32 = 0; j < 4; j++) {
      store<u8>(NIBBLES + j * 16 + n, <u8>(low >>> (8 * j)));
      store<u8>(NIBBLES + 64 + j * 16 + n, <u8>(high >>> (8 * j)));
    }
  }
  // Kept in memory rather than as an `i8x16.splat` constant, which V8 rebuilds at every use.
  v128.store(NIBBLES, i8x16.splat(0x0f), 128);
}

// Interleave the low or high halves of two vectors in 1-, 2-, 4- and 8-byte units (x64 PUNPCK*).
// @ts-ignore: decorator
@inline function lo8(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23); }
// @ts-ignore: decorator
@inline function hi8(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31); }
// @ts-ignore: decorator
@inline function lo16(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23); }
// @ts-ignore: decorator
@inline function hi16(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31); }
// @ts-ignore: decorator
@inline function lo32(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23); }
// @ts-ignore: decorator
@inline function hi32(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31); }
// @ts-ignore: decorator
@inline function lo64(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23); }
// @ts-ignore: decorator
@inline function hi64(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31); }

/**
 * Transposes the 16×16 tile whose row r (lane r's next 16 bytes) starts at `p + r * L`: vector
 * i of the output (at `out + 16 i`) holds byte i of every row. Four rounds of pairing vector i with i + 8
 * leave the rows in bit-reversed order (lane position q holds row reverse4(q)), undone at the join.
 */
// @ts-ignore: decorator
@inline function transposeTile(p: usize, L: usize, out: usize): void {
  const v0 = v128.load(p); const v1 = v128.load(p + L); const v2 = v128.load(p + 2 * L);
  const v3 = v128.load(p + 3 * L); const v4 = v128.load(p + 4 * L); const v5 = v128.load(p + 5 * L);
  const v6 = v128.load(p + 6 * L); const v7 = v128.load(p + 7 * L); const v8 = v128.load(p + 8 * L);
  const v9 = v128.load(p + 9 * L); const v10 = v128.load(p + 10 * L); const v11 = v128.load(p + 11 * L);
  const v12 = v128.load(p + 12 * L); const v13 = v128.load(p + 13 * L); const v14 = v128.load(p + 14 * L);
  const v15 = v128.load(p + 15 * L);
  const a0 = lo8(v0, v8); const a1 = hi8(v0, v8); const a2 = lo8(v1, v9); const a3 = hi8(v1, v9);
  const a4 = lo8(v2, v10); const a5 = hi8(v2, v10); const a6 = lo8(v3, v11); const a7 = hi8(v3, v11);
  const a8 = lo8(v4, v12); const a9 = hi8(v4, v12); const a10 = lo8(v5, v13); const a11 = hi8(v5, v13);
  const a12 = lo8(v6, v14); const a13 = hi8(v6, v14); const a14 = lo8(v7, v15); const a15 = hi8(v7, v15);
  const b0 = lo16(a0, a8); const b1 = hi16(a0, a8); const b2 = lo16(a1, a9); const b3 = hi16(a1, a9);
  const b4 = lo16(a2, a10); const b5 = hi16(a2, a10); const b6 = lo16(a3, a11); const b7 = hi16(a3, a11);
  const b8 = lo16(a4, a12); const b9 = hi16(a4, a12); const b10 = lo16(a5, a13); const b11 = hi16(a5, a13);
  const b12 = lo16(a6, a14); const b13 = hi16(a6, a14); const b14 = lo16(a7, a15); const b15 = hi16(a7, a15);
  const c0 = lo32(b0, b8); const c1 = hi32(b0, b8); const c2 = lo32(b1, b9); const c3 = hi32(b1, b9);
  const c4 = lo32(b2, b10); const c5 = hi32(b2, b10); const c6 = lo32(b3, b11); const c7 = hi32(b3, b11);
  const c8 = lo32(b4, b12); const c9 = hi32(b4, b12); const c10 = lo32(b5, b13); const c11 = hi32(b5, b13);
  const c12 = lo32(b6, b14); const c13 = hi32(b6, b14); const c14 = lo32(b7, b15); const c15 = hi32(b7, b15);
  v128.store(out, lo64(c0, c8), 0); v128.store(out, hi64(c0, c8), 16);
  v128.store(out, lo64(c1, c9), 32); v128.store(out, hi64(c1, c9), 48);
  v128.store(out, lo64(c2, c10), 64); v128.store(out, hi64(c2, c10), 80);
  v128.store(out, lo64(c3, c11), 96); v128.store(out, hi64(c3, c11), 112);
  v128.store(out, lo64(c4, c12), 128); v128.store(out, hi64(c4, c12), 144);
  v128.store(out, lo64(c5, c13), 160); v128.store(out, hi64(c5, c13), 176);
  v128.store(out, lo64(c6, c14), 192); v128.store(out, hi64(c6, c14), 208);
  v128.store(out, lo64(c7, c15), 224); v128.store(out, hi64(c7, c15), 240);
}

/** Raw CRC (from state 0) of the 16 × `lane` bytes at `p`; `laneShift` shifts over `lane` zero bytes. */
function blockCrc(p: usize, lane: usize, laneShift: usize): u32 {
  for (let g: usize = 0; g < lane; g += 16) transposeTile(p + g, lane, TRANSPOSED + g * 16);
  const l0 = v128.load(NIBBLES, 0); const l1 = v128.load(NIBBLES, 16);
  const l2 = v128.load(NIBBLES, 32); const l3 = v128.load(NIBBLES, 48);
  const h0 = v128.load(NIBBLES, 64); const h1 = v128.load(NIBBLES, 80);
  const h2 = v128.load(NIBBLES, 96); const h3 = v128.load(NIBBLES, 112);
  const mask = v128.load(NIBBLES, 128);
  let s0 = i8x16.splat(0);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  for (let q = TRANSPOSED; q < TRANSPOSED + 16 * lane; q += 16) {
    const x = v128.xor(s0, v128.load(q));
    const lo = v128.and(x, mask);
    const hi = v128.and(i16x8.shr_u(x, 4), mask);
    s0 = v128.xor(s1, v128.xor(i8x16.swizzle(l0, lo), i8x16.swizzle(h0, hi)));
    s1 = v128.xor(s2, v128.xor(i8x16.swizzle(l1, lo), i8x16.swizzle(h1, hi)));
    s2 = v128.xor(s3, v128.xor(i8x16.swizzle(l2, lo), i8x16.swizzle(h2, hi)));
    s3 = v128.xor(i8x16.swizzle(l3, lo), i8x16.swizzle(h3, hi));
  }
  // Byte vectors → one u32 per lane position, then join the lanes in row order 0..15 (row r sits at
  // position reverse4(r)): each earlier row is shifted over the `lane` bytes of the row after it.
  const p01l = lo8(s0, s1);
  const p01h = hi8(s0, s1);
  const p23l = lo8(s2, s3);
  const p23h = hi8(s2, s3);
  v128.store(WORDS, lo16(p01l, p23l), 0);
  v128.store(WORDS, hi16(p01l, p23l), 16);
  v128.store(WORDS, lo16(p01h, p23h), 32);
  v128.store(WORDS, hi16(p01h, p23h), 48);
  let c = load<u32>(WORDS, 0 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 8 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 4 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 12 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 2 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 10 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 6 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 14 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 1 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 9 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 5 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 13 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 3 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 11 * 4);
  c = shift(laneShift, c) ^ load<u32>(WORDS, 7 * 4);
  return shift(laneShift, c) ^ load<u32>(WORDS, 15 * 4);
}

/** Continues the raw CRC state `c` over the first `len - len % CRC_SIMD_MIN` bytes at `ptr`; returns it. */
export function crc32SimdBlocks(c: u32, ptr: usize, len: usize): u32 {
  const end = ptr + len - len % CRC_SIMD_BLOCK;
  for (; ptr < end; ptr += CRC_SIMD_BLOCK) c = shift(SHIFT_1024, c) ^ blockCrc(ptr, LANE_BYTES, SHIFT_64);
  if (len % CRC_SIMD_BLOCK >= CRC_SIMD_MIN) c = shift(SHIFT_512, c) ^ blockCrc(ptr, SMALL_LANE_BYTES, SHIFT_32);
  return c;
}
