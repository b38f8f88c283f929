// One bench socket (the `ws` package, so permessage-deflate can be offered or not; Node's built-in
// WebSocket always offers it), opened and counted as joined once the room's join frame arrives.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { BenchWire } from './chat-wire.ts';

/** Wall-clock ms with sub-ms resolution, comparable across worker threads (each has its own performance.now()). */
export const now = () => performance.timeOrigin + performance.now();

export interface JoinedSocket {
	ws: WebSocket;
	/** Upgrade request sent → join frame (chat: history page; relay: welcome) received, ms. */
	joinMs: number;
	/** The 101's Sec-WebSocket-Extensions (what the server agreed to), or "(none)". */
	extensions: string;
}

export interface SocketOptions {
	/** ws://127.0.0.1:<port><path> */
	url: string;
	cookie: string;
	origin: string;
	deflate: boolean;
	wire: BenchWire;
	timeoutMs: number;
}

/** Opens one socket and resolves when it has joined; rejects on error, close or timeout (never hangs). */
export function openJoined({ url, cookie, origin, deflate, wire, timeoutMs }: SocketOptions): Promise<JoinedSocket> {
	const started = now();
	// As a browser: every outgoing message deflated once negotiated (ws's default threshold is 1 KiB), and
	// enough inflates in flight that the client's zlib queue does not add latency of its own.
	const ws = new WebSocket(url, {
		headers: { cookie, origin },
		perMessageDeflate: deflate ? { threshold: 0, concurrencyLimit: 64 } : false
	});
	let extensions = '(none)';
	ws.once('upgrade', (response: IncomingMessage) => {
		const header = response.headers['sec-websocket-extensions'];
		if (header) extensions = String(header);
	});
	return new Promise((resolve, reject) => {
		const fail = (why: string) => {
			clearTimeout(timer);
			ws.terminate();
			reject(new Error(`${wire.kind} socket ${url}: ${why}`));
		};
		const timer = setTimeout(() => fail(`not joined after ${timeoutMs} ms`), timeoutMs);
		const onMessage = (data: Buffer, binary: boolean) => {
			if (!binary || !wire.joined(data)) return;
			clearTimeout(timer);
			ws.off('message', onMessage);
			ws.off('close', onClose);
			resolve({ ws, joinMs: now() - started, extensions });
		};
		const onClose = (code: number, reason: Buffer) => fail(`closed ${code} ${reason.toString()}`);
		ws.on('message', onMessage);
		ws.on('close', onClose);
		ws.on('error', (error: Error) => fail(error.message));
	});
}

/** Opens `count` sockets, `concurrency` at a time; socket i uses cookies[i]. */
export async function openMany(
	count: number,
	concurrency: number,
	options: (i: number) => SocketOptions
): Promise<JoinedSocket[]> {
	const sockets: JoinedSocket[] = new Array(count);
	let next = 0;
	const lane = async () => {
		while (next < count) {
			const i = next++;
			sockets[i] = await openJoined(options(i));
		}
	};
	try {
		await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
	} catch (error) {
		for (const s of sockets) s?.ws.terminate();
		throw error;
	}
	return sockets;
}

/** Closes sockets (1000) and waits for their close, at most `timeoutMs`; stragglers are terminated. */
export async function closeAll(sockets: WebSocket[], timeoutMs = 10_000): Promise<void> {
	const closed = sockets.map(
		(ws) =>
			new Promise<void>((resolve) => {
				if (ws.readyState === WebSocket.CLOSED) return resolve();
				ws.once('close', () => resolve());
				ws.close(1000);
			})
	);
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
	clearTimeout(timer);
	for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
}

/** The TCP payload bytes a socket has read and written so far (frames, headers, the upgrade). */
export function socketBytes(ws: WebSocket): { read: number; written: number } {
	const socket = (ws as unknown as { _socket?: { bytesRead: number; bytesWritten: number } })._socket;
	return { read: socket?.bytesRead ?? 0, written: socket?.bytesWritten ?? 0 };
}

/**
 * Counts closes of watched sockets that the bench did not ask for: a measurement of an audience whose
 * sockets the server dropped would lie. `ignore()` before closing them ourselves; a socket of an earlier
 * audience that reports its close late is still attached to that audience's (ignoring) watcher.
 */
export class UnexpectedCloses {
	count = 0;
	/** The first one's code and reason. */
	first = '';
	private ignoring = false;

	watch(ws: WebSocket): void {
		ws.on('close', (code: number, reason: Buffer) => {
			if (this.ignoring) return;
			if (this.count++ === 0) this.first = `${code} ${reason.toString() || '(no reason)'}`;
		});
	}

	ignore(): void {
		this.ignoring = true;
	}
}
