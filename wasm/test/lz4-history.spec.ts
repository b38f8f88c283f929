import { describe, expect, it } from 'vitest';
import { chatMessageJson, englishLikeText, randomBytes, sampleJsonDocument } from '../bench/data.ts';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { lz4NapiBlocks } from '../node/references.ts';
import { sampleInputs } from './sample-inputs.ts';

// The compressor keeps its hash table between calls and never clears it for a new input: entries from
// earlier calls are told apart by position (wasm/assembly/lz4-compress.ts). So a block must depend on
// its own input only, whatever was compressed before, also across the point where the positions wrap
// and the table is cleared; an earlier input's entry taken for a match would change the bytes or point
// outside the block.

const builds = ['simd', 'scalar'] as const;
/** Each call moves the positions on by its length plus a 64 KiB window; they restart before 2^32. */
const CALLS_TO_WRAP = Math.ceil(0xfff00000 / 65536) + 10;

/** The same text with a few bytes changed: an earlier call's table entries point at look-alike bytes. */
function nearCopy(bytes: Uint8Array): Uint8Array {
	const out = bytes.slice();
	for (let i = 17; i < out.length; i += 997) out[i] ^= 0x20;
	return out;
}

describe.each(builds)('LZ4 blocks depend on their input only (%s build)', (build) => {
	const inputs = [
		...sampleInputs(),
		{ name: 'chat message', bytes: chatMessageJson() },
		{ name: 'near copy of the 66 KB JSON', bytes: nearCopy(sampleJsonDocument()) }
	];
	const fresh = (bytes: Uint8Array) => loadNodeCodec(undefined, build).codec.compressBlock(bytes);

	it('after other inputs, every block is the one a fresh module writes, and decodes', () => {
		const { codec } = loadNodeCodec(undefined, build);
		// Larger and smaller inputs before each, so stale entries lie behind, around and ahead of it.
		const others = [englishLikeText(200_000, 3), randomBytes(5_000, 9), sampleJsonDocument()];
		for (const { name, bytes } of inputs) {
			for (const other of others) codec.compressBlock(other);
			const block = codec.compressBlock(bytes);
			expect(block, name).toEqual(fresh(bytes));
			expect(Buffer.compare(lz4NapiBlocks.decompress(block, bytes.length), bytes), name).toBe(0);
		}
	});

	it('right after a few zero bytes, inputs that start with zeros get their own block', () => {
		// An entry of the zeros' call taken for a match would point just before this block's start, where
		// the module's memory holds zeros too (the unused end of its hash table, in a module that has only
		// seen inputs under 64 KiB): the block would reach out of itself instead of failing to match.
		const { codec } = loadNodeCodec(undefined, build);
		for (const size of [13, 64, 1_000, 65_536]) {
			const bytes = new Uint8Array(size);
			bytes[size - 1] = 1;
			codec.compressBlock(new Uint8Array(20));
			expect(codec.compressBlock(bytes), `${size} bytes`).toEqual(fresh(bytes));
		}
	});

	it('across the wrap of positions (the table is cleared), blocks stay the same', () => {
		const { codec } = loadNodeCodec(undefined, build);
		const text = englishLikeText(100_000, 21);
		const chat = chatMessageJson();
		const before = codec.compressBlock(text);
		const chatBlock = fresh(chat);
		const tiny = new Uint8Array(1);
		for (let i = 0; i < CALLS_TO_WRAP; i++) {
			codec.compressBlock(tiny);
			// Real input all the way up, most often near the end, where the positions are highest and wrap.
			if (i % 4096 === 0 || i > CALLS_TO_WRAP - 100) {
				const block = codec.compressBlock(chat);
				if (Buffer.compare(block, chatBlock) !== 0) expect.fail(`chat block changed after ${i} calls`);
			}
		}
		expect(codec.compressBlock(text)).toEqual(before);
		expect(codec.compressBlock(chat)).toEqual(chatBlock);
	});
});
