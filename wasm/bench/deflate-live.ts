// Part of `npm run bench:codec:frames`: permessage-deflate against the real worker (wrangler dev, built
// app, e2e/bench/local-server.ts) with Node's `ws` client, offering the extension and not. Prints what
// was negotiated and the bytes on the wire (TCP payload, both directions) for 200 relay messages, raw
// and LZ4 frames, so the decision in wasm/README.md can be checked against the runtime itself.
// Env: FRAMES_BENCH_PORT (default 8827).
import WebSocket from 'ws';
import { loadNodeCodec } from '../node/load-codec-node.ts';
import { signUp, startLocalServer } from '../../e2e/bench/local-server.ts';
import { chatStream } from './murmur-payloads.ts';

const PORT = Number(process.env.FRAMES_BENCH_PORT ?? 8827);
const MESSAGES = 200;
/** relay.ts: version 1, client `say` type 1 ({ text }), server `welcome` 1 and `said` 2. */
const RELAY = { version: 1, say: 1, welcome: 1, said: 2 };

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();

interface Run {
	extensions: string;
	sent: number;
	received: number;
}

async function run(base: string, cookie: string, deflate: boolean, compress: boolean, room: string): Promise<Run> {
	const ws = new WebSocket(`${base.replace('http', 'ws')}/realtime/${room}/ws?v=${RELAY.version}`, {
		headers: { cookie, origin: base },
		perMessageDeflate: deflate
	});
	ws.binaryType = 'nodebuffer';
	let said = 0;
	let welcomed: () => void;
	let done: () => void;
	const welcome = new Promise<void>((resolve) => (welcomed = resolve));
	const all = new Promise<void>((resolve) => (done = resolve));
	ws.on('message', (data: Buffer, binary: boolean) => {
		if (!binary) return; // the heartbeat
		const frame = codec.decode(new Uint8Array(data));
		if (frame.type === RELAY.welcome) welcomed();
		else if (frame.type === RELAY.said && ++said === MESSAGES) done();
	});
	await welcome;
	// Counted from here: the upgrade and the welcome are the same in every run.
	const socket = (ws as unknown as { _socket: { bytesRead: number; bytesWritten: number } })._socket;
	const [read0, written0] = [socket.bytesRead, socket.bytesWritten];
	for (const text of chatStream(MESSAGES, 20)) {
		ws.send(codec.encode(RELAY.say, 0, utf8.encode(JSON.stringify({ text })), { compress }));
	}
	await all;
	const result = {
		extensions: ws.extensions || '(none)',
		sent: socket.bytesWritten - written0,
		received: socket.bytesRead - read0
	};
	ws.close(1000);
	return result;
}

const server = await startLocalServer(PORT);
try {
	const cookie = await signUp(server.base, `deflate${Date.now() % 1e8}`);
	console.log(
		`\nLive, wrangler dev on :${PORT}, relay channel, ${MESSAGES} messages of ~20 words (each echoed back):\n`
	);
	console.log('| Client offers deflate | Frames sent | Negotiated | Bytes sent (per msg) | Bytes received (per msg) |');
	console.log('|---|---|---|---:|---:|');
	let i = 0;
	for (const deflate of [true, false]) {
		for (const compress of [false, true]) {
			const r = await run(server.base, cookie, deflate, compress, `deflate-${i++}`);
			console.log(
				`| ${deflate ? 'yes' : 'no'} | ${compress ? 'LZ4' : 'raw'} | ${r.extensions} | ${r.sent} (${Math.round(r.sent / MESSAGES)}) | ${r.received} (${Math.round(r.received / MESSAGES)}) |`
			);
		}
	}
} finally {
	server.stop();
}
