// Scratch memory owned by the module: one input and one output buffer laid out after the static data.
// They grow on demand (rounded up to whole 64 KiB pages) and never shrink, so a steady stream of frames
// reuses the same bytes and a million encodes or decodes do not grow memory. The JS wrapper caps every
// size it asks for (the frame and payload limits), so growth is bounded too.

const PAGE_BYTES: usize = 65536;

let inPtr: usize = 0;
let inCap: usize = 0;
let outPtr: usize = 0;
let outCap: usize = 0;

function roundToPage(n: usize): usize {
  return (n + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
}

/**
 * Makes the input buffer hold at least `inNeed` bytes and the output buffer `outNeed`. Input stays where
 * it is when only the output grows (decode fills the input before it knows the output size); the output
 * may move, so callers read `outputPtr()` after every call. Returns false when memory cannot grow.
 */
export function reserve(inNeed: usize, outNeed: usize): bool {
  if (inNeed <= inCap && outNeed <= outCap) return true;
  const newIn = inNeed > inCap ? roundToPage(inNeed) : inCap;
  const newOut = outNeed > outCap ? roundToPage(outNeed) : outCap;
  const base = (__heap_base + 15) & ~15;
  const end = base + newIn + newOut;
  const have = (<usize>memory.size()) * PAGE_BYTES;
  if (end > have) {
    const pages = <i32>((end - have + PAGE_BYTES - 1) / PAGE_BYTES);
    if (memory.grow(pages) < 0) return false;
  }
  inPtr = base;
  inCap = newIn;
  outPtr = base + newIn;
  outCap = newOut;
  return true;
}

export function inputPtr(): usize {
  return inPtr;
}

export function outputPtr(): usize {
  return outPtr;
}
