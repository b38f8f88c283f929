// `npm run bench:codec:frames`: what LZ4 and permessage-deflate buy on Murmur's own frames, to set
// COMPRESS_MIN_BYTES (src/lib/protocol/channel.ts) and decide permessage-deflate from data.
//
// 1. Per payload (murmur-payloads.ts, shaped like the contracts' frames): the raw and the LZ4 frame's
//    bytes, and the codec's encode + decode time for each (median of many calls), i.e. bytes saved per
//    microsecond of CPU spent on both ends.
// 2. A stream of chat messages as one member receives them: bytes on the wire for raw and LZ4 frames,
//    each with no deflate, with permessage-deflate as browsers negotiate it (one zlib stream per
//    direction kept across messages: "context takeover"), and with per-message deflate (no context).
import { constants, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { chatStream, murmurPayloads } from './murmur-payloads.ts';

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();

/** Median µs of `call`, over calls batched to ~2 ms each. */
function microseconds(call: () => unknown): number {
	let n = 1;
	for (let t = performance.now(); performance.now() - t < 2; n++) call();
	const batches: number[] = [];
	for (let b = 0; b < 15; b++) {
		const t = performance.now();
		for (let i = 0; i < n; i++) call();
		batches.push(((performance.now() - t) * 1000) / n);
	}
	return batches.sort((x, y) => x - y)[7];
}

/** RFC 7692: a message is deflated, sync-flushed, and the trailing 00 00 ff ff dropped. */
function deflateAlone(frame: Uint8Array): number {
	return deflateRawSync(frame, { flush: constants.Z_SYNC_FLUSH }).length - 4;
}

/** The same with context takeover: one stream for the whole sequence (what browsers and workerd do). */
async function deflateStream(frames: Uint8Array[]): Promise<number> {
	const stream = createDeflateRaw();
	let total = 0;
	for (const frame of frames) {
		const out = await new Promise<number>((resolve) => {
			let n = 0;
			const onData = (chunk: Buffer) => (n += chunk.length);
			stream.on('data', onData);
			stream.write(frame);
			stream.flush(constants.Z_SYNC_FLUSH, () => {
				stream.off('data', onData);
				resolve(n);
			});
		});
		total += out - 4;
	}
	stream.close();
	return total;
}

console.log(
	'Per payload: frame bytes without and with per-message deflate (a fresh zlib context: the first message), and encode + decode µs.\n'
);
console.log(
	'| Payload | JSON B | raw frame B | LZ4 frame B | saved | raw + deflate B | LZ4 + deflate B | raw enc+dec µs | LZ4 enc+dec µs |'
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const { name, json } of murmurPayloads()) {
	const bytes = utf8.encode(json);
	const raw = codec.encode(3, 4211, bytes, { compress: false });
	const lz4 = codec.encode(3, 4211, bytes);
	const rawUs = microseconds(() => codec.decode(codec.encode(3, 4211, bytes, { compress: false })));
	const lz4Us = microseconds(() => codec.decode(codec.encode(3, 4211, bytes)));
	const saved = raw.length - lz4.length;
	console.log(
		`| ${name} | ${bytes.length} | ${raw.length} | ${lz4.length} | ${((saved / raw.length) * 100).toFixed(1)}% | ${deflateAlone(raw)} | ${deflateAlone(lz4)} | ${rawUs.toFixed(2)} | ${lz4Us.toFixed(2)} |`
	);
}

console.log(
	'\nA stream of 200 chat messages to one member: total bytes on the wire (WebSocket frame headers not counted).\n'
);
console.log(
	'| Message text | raw frames | LZ4 frames | raw + deflate (context) | LZ4 + deflate (context) | raw + deflate (per message) | LZ4 + deflate (per message) |'
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const words of [5, 12, 40, 120]) {
	const texts = chatStream(200, words).map((s) => utf8.encode(s));
	const raw = texts.map((t) => codec.encode(3, 0, t, { compress: false }));
	const lz4 = texts.map((t) => codec.encode(3, 0, t));
	const sum = (frames: Uint8Array[]) => frames.reduce((n, f) => n + f.length, 0);
	const cells = [
		sum(raw),
		sum(lz4),
		await deflateStream(raw),
		await deflateStream(lz4),
		raw.reduce((n, f) => n + deflateAlone(f), 0),
		lz4.reduce((n, f) => n + deflateAlone(f), 0)
	];
	const avg = Math.round(sum(texts) / texts.length);
	console.log(
		`| ${words} words (${avg} B JSON) | ${cells.map((c) => `${c} (${Math.round(c / 200)}/msg)`).join(' | ')} |`
	);
}
