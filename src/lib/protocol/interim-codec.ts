import type { FrameCodec, WireFrame } from './chat-wire';

/**
 * TEMPORARY stand-in until the WASM codec lands on this branch: the same encode/decode shape with a plain
 * 10-byte header and no compression or checksum. Removed when chat-wire switches to the real codec.
 */
export const interimCodec: FrameCodec = {
	encode(type, seq, payload) {
		const out = new Uint8Array(10 + payload.byteLength);
		const view = new DataView(out.buffer);
		view.setUint8(0, type);
		view.setUint32(1, seq);
		view.setUint8(5, 0);
		view.setUint32(6, payload.byteLength);
		out.set(payload, 10);
		return out;
	},
	decode(bytes): WireFrame {
		if (bytes.byteLength < 10) throw new Error('frame too short');
		const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		const length = view.getUint32(6);
		if (length !== bytes.byteLength - 10) throw new Error('length mismatch');
		return { type: view.getUint8(0), seq: view.getUint32(1), flags: view.getUint8(5), payload: bytes.subarray(10) };
	}
};
