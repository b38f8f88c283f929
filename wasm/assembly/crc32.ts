// CRC-32/IEEE (the zlib, PNG and Ethernet CRC: reflected polynomial 0xEDB88320, init and final xor
// 0xFFFFFFFF). Two kernels, both exact:
//
// - scalar slicing-by-16 (this file): sixteen 256-entry tables fold 16 input bytes per step with 16
//   independent lookups. It costs about five machine instructions per byte (byte load, shift, table
//   load, xor, and V8's address zero-extension) and is what hash-wasm's slicing-by-8 also does, so the
//   two run within a few percent of each other: table CRC in WebAssembly is bound by instruction count.
// - 16 lanes of SIMD nibble lookups (crc32-simd.ts), built into the SIMD module only, for inputs of at
//   least 512 bytes: about two instructions per byte. It is what clears 1.2× hash-wasm.

import { CRC_SIMD_MIN, crc32SimdBlocks, initCrc32Simd } from './crc32-simd';

const POLYNOMIAL: u32 = 0xedb88320;
const TABLE_COUNT: usize = 16;
const TABLE_BYTES: usize = 256 * 4;
const CRC_TABLES: usize = memory.data(<i32>(TABLE_COUNT * TABLE_BYTES), 64);

/** Fills the tables; runs once from the module's start function. */
export function initCrc32Tables(): void {
  const TABLES = CRC_TABLES;
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    store<u32>(TABLES + (<usize>n << 2), c);
  }
  for (let n: u32 = 0; n < 256; n++) {
    let c = load<u32>(TABLES + (<usize>n << 2));
    for (let t: usize = 1; t < TABLE_COUNT; t++) {
      c = load<u32>(TABLES + ((<usize>c & 0xff) << 2)) ^ (c >>> 8);
      store<u32>(TABLES + t * TABLE_BYTES + (<usize>n << 2), c);
    }
  }
  if (ASC_FEATURE_SIMD) initCrc32Simd(TABLES);
}

// Entry `i` of table `t`: the table's address goes in the load's constant offset field, which saves an
// add per lookup (Binaryen does not fold `(i << 2) + constant` into the offset by itself).
// @ts-ignore: decorator
@inline function T0(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES); }
// @ts-ignore: decorator
@inline function T1(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 1 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T2(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 2 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T3(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 3 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T4(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 4 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T5(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 5 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T6(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 6 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T7(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 7 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T8(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 8 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T9(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 9 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T10(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 10 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T11(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 11 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T12(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 12 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T13(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 13 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T14(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 14 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T15(i: u32): u32 { return load<u32>(<usize>i << 2, CRC_TABLES + 15 * TABLE_BYTES); }

/** Continues a CRC over `len` bytes at `ptr`; start with 0. */
export function crc32Update(crc: u32, ptr: usize, len: usize): u32 {
  let c = ~crc;
  if (ASC_FEATURE_SIMD && len >= CRC_SIMD_MIN) {
    c = crc32SimdBlocks(c, ptr, len);
    const done = len - len % CRC_SIMD_MIN;
    ptr += done;
    len -= done;
  }
  const end16 = ptr + (len & ~15);
  while (ptr < end16) {
    // The first word is folded with the running CRC, so its bytes come from shifts; the other twelve
    // bytes are loaded directly (one load instead of a shift and a mask each).
    const a = load<u32>(ptr) ^ c;
    c =
      T15(a & 0xff) ^ T14((a >>> 8) & 0xff) ^ T13((a >>> 16) & 0xff) ^ T12(a >>> 24) ^
      T11(load<u8>(ptr, 4)) ^ T10(load<u8>(ptr, 5)) ^ T9(load<u8>(ptr, 6)) ^ T8(load<u8>(ptr, 7)) ^
      T7(load<u8>(ptr, 8)) ^ T6(load<u8>(ptr, 9)) ^ T5(load<u8>(ptr, 10)) ^ T4(load<u8>(ptr, 11)) ^
      T3(load<u8>(ptr, 12)) ^ T2(load<u8>(ptr, 13)) ^ T1(load<u8>(ptr, 14)) ^ T0(load<u8>(ptr, 15));
    ptr += 16;
  }
  const end = ptr + (len & 15);
  while (ptr < end) {
    c = T0((c ^ load<u8>(ptr)) & 0xff) ^ (c >>> 8);
    ptr++;
  }
  return ~c;
}
