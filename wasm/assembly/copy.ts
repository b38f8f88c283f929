// Fixed-size copies for the LZ4 paths, in both builds: one 16-byte SIMD load and store in the SIMD
// module, two 8-byte loads and stores in the scalar one (for runtimes without WebAssembly SIMD). Both
// read all 16 bytes before writing any, so a copy from at least 16 bytes behind its destination (an
// LZ4 match) is exact.

// @ts-ignore: decorator
@inline export function copy16(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) {
    v128.store(dst, v128.load(src));
  } else {
    const a = load<u64>(src);
    const b = load<u64>(src, 8);
    store<u64>(dst, a);
    store<u64>(dst, b, 8);
  }
}

/** Two copy16 steps: 32 bytes, the second half read after the first is written. */
// @ts-ignore: decorator
@inline export function copy32(dst: usize, src: usize): void {
  copy16(dst, src);
  copy16(dst + 16, src + 16);
}

/**
 * Copies `n` bytes in 16-byte steps, so it may write up to 15 bytes past `dst + n` and read as far past
 * `src + n`: callers check both have room. Reading from behind the write position is exact when the two
 * are at least 16 bytes apart (each step reads only final bytes).
 */
// @ts-ignore: decorator
@inline export function wildCopy(dst: usize, src: usize, n: usize): void {
  let k: usize = 0;
  do {
    copy16(dst + k, src + k);
    k += 16;
  } while (k < n);
}
