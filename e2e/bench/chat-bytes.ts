// Bytes on the wire per chat message in bench:chat: one sender and one listener in a room, 200 typical
// chat lines (12 words, from wasm/bench/murmur-payloads.ts) sent one at a time, counted as TCP payload
// on the sockets (WebSocket framing and, when negotiated, permessage-deflate included; the upgrade and
// the join traffic before the first message are not).
import { setTimeout as sleep } from 'node:timers/promises';
import type WebSocket from 'ws';
import { chatMessage } from '../../wasm/bench/murmur-payloads.ts';
import { messageNumber } from './chat-audience.ts';
import { closeAll, openJoined, socketBytes } from './chat-socket.ts';
import { wires, type Kind } from './chat-wire.ts';

export interface WireBytes {
	kind: Kind;
	deflate: boolean;
	extensions: string;
	messages: number;
	/** The delivered codec frame, as the client's WebSocket hands it over (after inflating), bytes. */
	frameBytes: number;
	/** Per message: read by the listener, written by the sender, read by the sender (its copy, its ack). */
	listenerRead: number;
	senderWritten: number;
	senderRead: number;
}

const MESSAGES = 200;
const lines = Array.from({ length: MESSAGES }, (_, i) => chatMessage(1000 + i, 12).text);

/** Resolves with the frame length when `ws` receives the delivery of message `n`. */
function delivery(ws: WebSocket, kind: Kind, n: number): Promise<number> {
	const wire = wires[kind];
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			ws.off('message', on);
			reject(new Error(`${kind}: message ${n} not delivered within 10 s`));
		}, 10_000);
		function on(data: Buffer, binary: boolean) {
			if (!binary || !wire.deliveriesOf(data).includes(n)) return;
			clearTimeout(timer);
			ws.off('message', on);
			resolve(data.byteLength);
		}
		ws.on('message', on);
	});
}

export async function wireBytes(options: {
	kind: Kind;
	url: string;
	origin: string;
	senderCookie: string;
	listenerCookie: string;
	deflate: boolean;
}): Promise<WireBytes> {
	const { kind, url, origin, deflate } = options;
	const wire = wires[kind];
	const open = (cookie: string) => openJoined({ url, cookie, origin, deflate, wire, timeoutMs: 30_000 });
	const sender = await open(options.senderCookie);
	const listener = await open(options.listenerCookie);
	try {
		await sleep(300); // presence, cursor and other join traffic
		const l0 = socketBytes(listener.ws);
		const s0 = socketBytes(sender.ws);
		let frameBytes = 0;
		for (const line of lines) {
			const n = messageNumber();
			const arrived = Promise.all([delivery(listener.ws, kind, n), delivery(sender.ws, kind, n)]);
			sender.ws.send(wire.encodeSend(n, line));
			frameBytes += (await arrived)[0];
		}
		await sleep(300); // the last ack
		const l1 = socketBytes(listener.ws);
		const s1 = socketBytes(sender.ws);
		return {
			kind,
			deflate,
			extensions: listener.extensions,
			messages: MESSAGES,
			frameBytes: frameBytes / MESSAGES,
			listenerRead: (l1.read - l0.read) / MESSAGES,
			senderWritten: (s1.written - s0.written) / MESSAGES,
			senderRead: (s1.read - s0.read) / MESSAGES
		};
	} finally {
		await closeAll([sender.ws, listener.ws]);
	}
}

/** What Node's built-in WebSocket (undici) negotiates with the server when it opens a socket. */
export async function builtInExtensions(url: string, cookie: string, origin: string): Promise<string> {
	const ws = new globalThis.WebSocket(url, { headers: { cookie, origin } } as unknown as string[]);
	try {
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('built-in WebSocket: no open within 10 s')), 10_000);
			ws.addEventListener('open', () => (clearTimeout(timer), resolve()), { once: true });
			ws.addEventListener('error', () => (clearTimeout(timer), reject(new Error('built-in WebSocket failed'))), {
				once: true
			});
		});
		return ws.extensions || '(none)';
	} finally {
		ws.close(1000);
	}
}
