// CRC-32/IEEE (the zlib, PNG and Ethernet CRC: reflected polynomial 0xEDB88320, init and final xor
// 0xFFFFFFFF), computed with slicing-by-16: sixteen 256-entry tables let one loop step fold 16 input
// bytes with 16 independent table lookups, so only 4 of them wait on the previous step's result.

const POLYNOMIAL: u32 = 0xedb88320;
const TABLE_COUNT: usize = 16;
const TABLE_BYTES: usize = 256 * 4;
const TABLES: usize = memory.data(<i32>(TABLE_COUNT * TABLE_BYTES), 64);

/** Fills the tables; runs once from the module's start function. */
export function initCrc32Tables(): void {
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
}

// Entry `i` of table `t`: the table's address goes in the load's constant offset field, which saves an
// add per lookup (Binaryen does not fold `(i << 2) + constant` into the offset by itself).
// @ts-ignore: decorator
@inline function T0(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES); }
// @ts-ignore: decorator
@inline function T1(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 1 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T2(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 2 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T3(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 3 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T4(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 4 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T5(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 5 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T6(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 6 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T7(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 7 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T8(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 8 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T9(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 9 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T10(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 10 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T11(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 11 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T12(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 12 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T13(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 13 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T14(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 14 * TABLE_BYTES); }
// @ts-ignore: decorator
@inline function T15(i: u32): u32 { return load<u32>(<usize>i << 2, TABLES + 15 * TABLE_BYTES); }

/** Continues a CRC over `len` bytes at `ptr`; start with 0. */
export function crc32Update(crc: u32, ptr: usize, len: usize): u32 {
  let c = ~crc;
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
