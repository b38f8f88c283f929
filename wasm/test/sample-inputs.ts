// Inputs that reach every branch of the LZ4 coder: empty and tiny inputs (all literals), the 12/13-byte
// end-of-block limits, long literal and match lengths (255-byte continuations), overlapping matches of
// every short offset, offsets at the 64 KiB window, incompressible bytes, and realistic JSON/text.
import { englishLikeText, randomBytes, sampleJsonDocument } from '../bench/data.ts';

export interface SampleInput {
	name: string;
	bytes: Uint8Array;
}

const utf8 = new TextEncoder();

function repeatPattern(pattern: number[], length: number): Uint8Array {
	return Uint8Array.from({ length }, (_, i) => pattern[i % pattern.length]);
}

export function sampleInputs(): SampleInput[] {
	const windowEdge = new Uint8Array(140_000);
	windowEdge.set(randomBytes(70_000, 7));
	windowEdge.copyWithin(65_535 + 100, 100, 4_000); // a match exactly 65,535 bytes back
	windowEdge.copyWithin(65_536 + 5_000, 5_000, 9_000); // and one just out of reach
	const inputs: SampleInput[] = [
		{ name: 'empty', bytes: new Uint8Array(0) },
		{ name: '1 byte', bytes: new Uint8Array([42]) },
		{ name: '12 equal bytes', bytes: new Uint8Array(12).fill(7) },
		{ name: '13 equal bytes', bytes: new Uint8Array(13).fill(7) },
		{ name: '64 KiB of zeros', bytes: new Uint8Array(65_536) },
		{ name: '1 MB of zeros', bytes: new Uint8Array(1_000_000) },
		{ name: '300 random literals then a long match', bytes: concat(randomBytes(300, 1), new Uint8Array(5000)) },
		{ name: 'near the 64 KiB window', bytes: windowEdge },
		{ name: 'random 100 KB', bytes: randomBytes(100_000, 3) },
		{ name: 'chat JSON', bytes: utf8.encode(JSON.stringify({ type: 'say', room: 'lobby', text: 'hi there!' })) },
		{ name: '66 KB JSON', bytes: sampleJsonDocument() },
		{ name: 'English-like text 300 KB', bytes: englishLikeText(300_000, 11) }
	];
	for (let offset = 2; offset <= 20; offset++) {
		const pattern = Array.from({ length: offset }, (_, i) => (i * 37 + offset) & 0xff);
		inputs.push({ name: `period ${offset}`, bytes: repeatPattern(pattern, 3000 + offset) });
	}
	return inputs;
}

function concat(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}
