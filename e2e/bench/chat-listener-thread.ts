// A worker thread holding part of bench:chat's listening sockets (chat-listeners.ts drives it), so
// receiving is spread over threads and the client is not what limits the measurement. While a cell is
// recorded, a frame costs one byte test and two pushes; the frames are decoded only after the cell.
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { wires, type BenchWire, type Kind } from './chat-wire.ts';
import { closeAll, now, openMany, socketBytes, UnexpectedCloses } from './chat-socket.ts';

/** What a listener pool opens: `cookies` has one entry per socket (an account may hold at most 16 per object). */
export interface OpenRequest {
	kind: Kind;
	url: string;
	cookies: string[];
	origin: string;
	deflate: boolean;
	/** Sockets opening at once, over all threads. */
	concurrency: number;
	timeoutMs: number;
}

export type ThreadRequest =
	({ op: 'open' } & OpenRequest) | { op: 'record' } | { op: 'count' } | { op: 'stop' } | { op: 'close'; hard: boolean };

export interface ThreadStats {
	/** This thread's CPU (user + system) while recording, ms. */
	cpuMs: number;
	/** This thread's event-loop utilisation while recording (1: never idle, so it may have delayed arrivals). */
	elu: number;
	/** TCP payload bytes read by its sockets while recording. */
	bytesRead: number;
	/** Its sockets the server closed (or the connection lost) since they opened, and the first close seen. */
	closed: number;
	firstClose: string;
}

let sockets: WebSocket[] = [];
let wire: BenchWire | null = null;
let recording = false;
let frames: Buffer[] = [];
let arrivals: number[] = [];
/** Frames decoded so far by `count` (a frame may deliver several messages), and what they delivered. */
let decoded: number[][] = [];
/** The deliveries in `decoded`. */
let decodedDeliveries = 0;
/** Closes of the current sockets that we did not ask for (a fresh watcher after each close). */
let closes = new UnexpectedCloses();
let mark = { cpu: process.threadCpuUsage(), elu: performance.eventLoopUtilization(), bytes: 0 };

const bytesRead = () => sockets.reduce((sum, ws) => sum + socketBytes(ws).read, 0);

function onFrame(data: Buffer, binary: boolean) {
	if (recording && binary && wire!.mayBeDelivery(data)) {
		frames.push(data);
		arrivals.push(now());
	}
}

async function handle(request: ThreadRequest): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> {
	switch (request.op) {
		case 'open': {
			wire = wires[request.kind];
			const opened = await openMany(request.cookies.length, request.concurrency, (i) => ({
				url: request.url,
				cookie: request.cookies[i]!,
				origin: request.origin,
				deflate: request.deflate,
				wire: wire!,
				timeoutMs: request.timeoutMs
			}));
			for (const { ws } of opened) {
				ws.on('message', onFrame);
				closes.watch(ws);
			}
			sockets.push(...opened.map((s) => s.ws));
			return { result: { joinMs: opened.map((s) => s.joinMs), extensions: opened[0]?.extensions ?? '' } };
		}
		case 'record':
			frames = [];
			arrivals = [];
			decoded = [];
			decodedDeliveries = 0;
			mark = { cpu: process.threadCpuUsage(), elu: performance.eventLoopUtilization(), bytes: bytesRead() };
			recording = true;
			return { result: null };
		case 'count': {
			// Deliveries, not frames: the frames that arrived since the last count are decoded now (polled
			// every 20 ms while a cell drains, never in a frame's own handler).
			while (decoded.length < frames.length) {
				const numbers = wire!.deliveriesOf(frames[decoded.length]!);
				decoded.push(numbers);
				decodedDeliveries += numbers.length;
			}
			return { result: decodedDeliveries };
		}
		case 'stop': {
			recording = false;
			const cpu = process.threadCpuUsage(mark.cpu);
			const stats: ThreadStats = {
				cpuMs: (cpu.user + cpu.system) / 1000,
				elu: performance.eventLoopUtilization(mark.elu).utilization,
				bytesRead: bytesRead() - mark.bytes,
				closed: closes.count,
				firstClose: closes.first
			};
			// (message number, arrival) pairs, decoded now that the clock has stopped.
			const pairs: number[] = [];
			for (let i = 0; i < frames.length; i++) {
				for (const n of decoded[i] ?? wire!.deliveriesOf(frames[i]!)) pairs.push(n, arrivals[i]!);
			}
			frames = [];
			arrivals = [];
			decoded = [];
			decodedDeliveries = 0;
			const deliveries = Float64Array.from(pairs);
			return { result: { deliveries, stats }, transfer: [deliveries.buffer] };
		}
		case 'close':
			closes.ignore();
			closes = new UnexpectedCloses();
			if (request.hard) for (const ws of sockets) ws.terminate();
			else await closeAll(sockets, 5_000);
			sockets = [];
			return { result: null };
	}
}

parentPort!.on('message', ({ id, request }: { id: number; request: ThreadRequest }) => {
	handle(request).then(
		({ result, transfer }) => parentPort!.postMessage({ id, result }, transfer ?? []),
		(error: unknown) => parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) })
	);
});
