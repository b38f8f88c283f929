// The N sockets of one object in one room: a few senders on the main thread (which post and also listen)
// and the listeners on worker threads. Records, per bench message sent, its send time and every
// socket's arrival time, and what the client itself spent doing it.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type WebSocket from 'ws';
import { wires, type BenchWire, type Kind } from './chat-wire.ts';
import { closeAll, now, openMany, UnexpectedCloses, type SocketOptions } from './chat-socket.ts';
import type { ListenerPool } from './chat-listeners.ts';

export interface AudienceSpec {
	kind: Kind;
	/** http://127.0.0.1:<port> */
	base: string;
	/** Chat: the D1 room id; relay: the relay object's name. */
	room: string;
	deflate: boolean;
	/** Sockets in the room, senders included. */
	size: number;
	/** One cookie per sender socket (its own account). */
	senderCookies: string[];
	/** One cookie per listener socket (size − senders of them). */
	listenerCookies: string[];
}

export interface Measured {
	/** Bench messages sent while recording. */
	sent: number;
	/** sent × sockets. */
	expected: number;
	/** Latencies (send → arrival) of every delivery of those messages, ascending, ms. */
	latencies: number[];
	/** Client CPU while recording (every thread of this process, zlib's included), ms. */
	clientCpuMs: number;
	/** The busiest client thread's event-loop utilisation. */
	clientElu: number;
	wallMs: number;
	/** TCP bytes the listener threads' sockets read while recording, and their deliveries. */
	listenerBytes: number;
	listenerDeliveries: number;
	/** The first send and the last arrival of this recording (ms, `now()`), for throughput. */
	firstSent: number;
	lastArrival: number;
}

const JOIN_TIMEOUT_MS = 60_000;
/** Sockets opening at once: the room serialises joins anyway; this only keeps the pipe full. */
const OPEN_CONCURRENCY = 16;

let nextNumber = 1;
/** A bench message number, unique in this process (chat refuses a reused message id as a duplicate). */
export const messageNumber = () => nextNumber++;

export class Audience {
	/** Called on every delivery to a sender socket (closed-loop senders wait for their own message). */
	onSenderDelivery: ((sender: number, n: number) => void) | null = null;
	private sentAt = new Map<number, number>();
	private own: number[] = [];
	private recording = false;
	/** Sender sockets the server closed (not we). */
	private readonly senderCloses = new UnexpectedCloses();
	private mark = { cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), at: 0 };

	readonly wire: BenchWire;
	readonly size: number;
	/** The WebSocket extensions the server agreed to (the 101's Sec-WebSocket-Extensions), or "(none)". */
	readonly extensions: string;
	private readonly senders: WebSocket[];
	private readonly pool: ListenerPool;

	// (No parameter properties: Node's type stripping refuses them.)
	private constructor(wire: BenchWire, size: number, senders: WebSocket[], pool: ListenerPool, extensions: string) {
		this.wire = wire;
		this.size = size;
		this.senders = senders;
		this.pool = pool;
		this.extensions = extensions;
		senders.forEach((ws, s) => {
			ws.on('message', (data: Buffer, binary: boolean) => {
				if (!binary) return;
				const at = now();
				for (const n of wire.deliveriesOf(data)) {
					if (this.recording) this.own.push(n, at);
					this.onSenderDelivery?.(s, n);
				}
			});
			this.senderCloses.watch(ws);
		});
	}

	get senderCount() {
		return this.senders.length;
	}

	static async open(pool: ListenerPool, spec: AudienceSpec): Promise<Audience> {
		const wire = wires[spec.kind];
		const url = `${spec.base.replace('http', 'ws')}${wire.socketPath(spec.room)}`;
		const common = (cookie: string): SocketOptions => ({
			url,
			cookie,
			origin: spec.base,
			deflate: spec.deflate,
			wire,
			timeoutMs: JOIN_TIMEOUT_MS
		});
		const senders = await openMany(spec.senderCookies.length, OPEN_CONCURRENCY, (i) => common(spec.senderCookies[i]!));
		const listeners = spec.size - senders.length;
		try {
			await pool.open({
				kind: spec.kind,
				url,
				cookies: spec.listenerCookies.slice(0, listeners),
				origin: spec.base,
				deflate: spec.deflate,
				concurrency: OPEN_CONCURRENCY,
				timeoutMs: JOIN_TIMEOUT_MS
			});
		} catch (error) {
			await closeAll(senders.map((s) => s.ws));
			throw error;
		}
		return new Audience(
			wire,
			spec.size,
			senders.map((s) => s.ws),
			pool,
			senders[0]?.extensions ?? '(none)'
		);
	}

	/** Sends bench message `n` from sender `s`, timed from here. */
	send(s: number, n: number, text?: string) {
		const frame = this.wire.encodeSend(n, text);
		this.sentAt.set(n, now());
		this.senders[s]!.send(frame);
	}

	async record(): Promise<void> {
		await this.pool.record();
		this.sentAt = new Map();
		this.own = [];
		this.mark = { cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), at: now() };
		this.recording = true;
	}

	/** Deliveries kept so far (listener frames that may be deliveries, plus the senders' own). */
	async count(): Promise<number> {
		return (await this.pool.count()) + this.own.length / 2;
	}

	async stop(): Promise<Measured> {
		this.recording = false;
		const cpu = process.cpuUsage(this.mark.cpu);
		const mainElu = performance.eventLoopUtilization(this.mark.elu).utilization;
		const wallMs = now() - this.mark.at;
		const recorded = await this.pool.stop();
		const latencies: number[] = [];
		let lastArrival = 0;
		let listenerDeliveries = 0;
		const collect = (pairs: ArrayLike<number>, listener: boolean) => {
			for (let i = 0; i < pairs.length; i += 2) {
				const sent = this.sentAt.get(pairs[i]!);
				if (sent === undefined) continue; // sent before this recording
				latencies.push(pairs[i + 1]! - sent);
				lastArrival = Math.max(lastArrival, pairs[i + 1]!);
				if (listener) listenerDeliveries++;
			}
		};
		const closed = this.senderCloses.count + recorded.closed;
		if (closed > 0)
			throw new Error(
				`bench:chat: the server closed ${closed} of the ${this.wire.kind} room's ${this.size} sockets (first: ${this.senderCloses.first || recorded.firstClose}); its figures would be of a broken audience`
			);
		for (const pairs of recorded.deliveries) collect(pairs, true);
		collect(this.own, false);
		latencies.sort((a, b) => a - b);
		let firstSent = Infinity;
		for (const t of this.sentAt.values()) firstSent = Math.min(firstSent, t);
		return {
			sent: this.sentAt.size,
			expected: this.sentAt.size * this.size,
			latencies,
			clientCpuMs: (cpu.user + cpu.system) / 1000,
			clientElu: Math.max(mainElu, recorded.maxElu),
			wallMs,
			listenerBytes: recorded.bytesRead,
			listenerDeliveries,
			firstSent,
			lastArrival
		};
	}

	/**
	 * `hard` after a ladder that ended behind: the room still has frames queued for these sockets, and a
	 * close would wait behind them; dropping the connections lets the room discard them.
	 */
	async close(hard = false): Promise<void> {
		this.senderCloses.ignore();
		if (hard) for (const ws of this.senders) ws.terminate();
		await Promise.all([hard ? undefined : closeAll(this.senders, 5_000), this.pool.close(hard)]);
		// The object counts an account's sockets (16 at most): let it see these closes before the next room opens.
		await sleep(300);
	}
}
