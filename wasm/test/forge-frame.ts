// Hand-made version-2 frames (layout in wasm/README.md) for tests and the fuzzer: any field may be
// wrong, and the CRC is computed over what was forged unless one is given, so a test reaches the
// checks behind the CRC the way a hostile peer (who can compute CRCs too) would.
import { crc32 as zlibCrc32 } from 'node:zlib';

/** Unsigned LEB128 of a safe integer. */
export function leb128(value: number): number[] {
	const out: number[] = [];
	let v = value;
	while (v >= 0x80) {
		out.push((v % 0x80) | 0x80);
		v = Math.floor(v / 0x80);
	}
	out.push(v);
	return out;
}

export interface ForgedFrame {
	version?: number;
	type?: number;
	flags?: number;
	/** The sequence number's bytes as sent (default leb128(1)). */
	seq?: number[];
	/** The payload-length bytes as sent (compressed frames; default none). */
	length?: number[];
	body: Uint8Array | number[];
	/** Default: the CRC of everything before it. */
	crc?: number;
}

export function forgeFrame(f: ForgedFrame): Uint8Array {
	const head = [0x4d, 0x52, f.version ?? 2, f.type ?? 9, f.flags ?? 0, ...(f.seq ?? leb128(1)), ...(f.length ?? [])];
	const frame = new Uint8Array(head.length + f.body.length + 4);
	frame.set(head);
	frame.set(f.body, head.length);
	reseal(frame, f.crc);
	return frame;
}

/** Rewrites the CRC trailer (to `crc`, or to the right value) after the frame was changed. */
export function reseal(frame: Uint8Array, crc = zlibCrc32(frame.subarray(0, frame.length - 4))): Uint8Array {
	new DataView(frame.buffer, frame.byteOffset, frame.length).setUint32(frame.length - 4, crc, true);
	return frame;
}

/** Where the stored payload starts in a well-formed frame (after the varints). */
export function bodyStart(frame: Uint8Array): number {
	let at = 5;
	while (frame[at] & 0x80) at++;
	at++;
	if (frame[4] & 1) {
		while (frame[at] & 0x80) at++;
		at++;
	}
	return at;
}
