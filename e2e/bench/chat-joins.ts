// Joins in bench:chat: a room that holds many messages (10,000 by default) while many sockets (1,000)
// join it one after another, a few at a time. Join time is upgrade request → the join frame (chat: the
// history page; relay: the welcome); worker CPU per join is the runtime workerd's utime + stime over the
// whole joining, minus its idle rate, divided by the joins. The sockets stay open, so the last joins
// are into a room of ~1,000: work that grows with the open sockets shows up here.
import { setTimeout as sleep } from 'node:timers/promises';
import { messageNumber } from './chat-audience.ts';
import type { ListenerPool } from './chat-listeners.ts';
import { closeAll, openJoined } from './chat-socket.ts';
import { wires, type Kind } from './chat-wire.ts';
import { cpuInterval, settle, type WorkerdProcesses } from './workerd-cpu.ts';

export interface Joins {
	kind: Kind;
	deflate: boolean;
	extensions: string;
	/** Messages the room holds (chat), 0 for the relay. */
	history: number;
	/** Join times, ascending, ms. */
	joinMs: number[];
	runtimeMsPerJoin: number;
	/** Every round's runtimeMsPerJoin, when the row is the median of several (chat.ts). */
	roundsMsPerJoin?: number[];
	proxyMsPerJoin: number;
	/** The idle rate subtracted (runtime ms per ms) and whether the runtime was quiet before. */
	idleRate: number;
	quiet: boolean;
	wallMs: number;
}

/** Posts `count` messages into a chat room through one socket, `window` in flight; resolves when all came back. */
export async function fillRoom(url: string, cookie: string, origin: string, count: number, window = 64) {
	const wire = wires.chat;
	const { ws } = await openJoined({ url, cookie, origin, deflate: false, wire, timeoutMs: 30_000 });
	let sent = 0;
	let back = 0;
	const done = new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`filling the room: ${back} of ${count} back`)), 300_000);
		ws.on('message', (data: Buffer, binary: boolean) => {
			if (!binary) return;
			const delivered = wire.deliveriesOf(data).length;
			if (delivered === 0) return;
			back += delivered;
			if (back >= count) {
				clearTimeout(timer);
				resolve();
			} else {
				for (let i = 0; i < delivered && sent < count; i++, sent++) ws.send(wire.encodeSend(messageNumber()));
			}
		});
	});
	for (; sent < Math.min(window, count); sent++) ws.send(wire.encodeSend(messageNumber()));
	await done;
	await closeAll([ws]);
}

export async function measureJoins(
	pool: ListenerPool,
	options: {
		kind: Kind;
		url: string;
		origin: string;
		cookies: string[];
		deflate: boolean;
		concurrency: number;
		history: number;
		processes: WorkerdProcesses;
	}
): Promise<Joins> {
	const { idleRate, quiet } = await settle(options.processes);
	const spent = cpuInterval(options.processes);
	const { joinMs, extensions } = await pool.open({
		kind: options.kind,
		url: options.url,
		cookies: options.cookies,
		origin: options.origin,
		deflate: options.deflate,
		concurrency: options.concurrency,
		timeoutMs: 60_000
	});
	const cpu = spent();
	const joins = joinMs.length;
	await pool.close();
	await sleep(200);
	return {
		kind: options.kind,
		deflate: options.deflate,
		extensions: extensions || '(none)',
		history: options.history,
		joinMs: joinMs.sort((a, b) => a - b),
		runtimeMsPerJoin: Math.max(0, cpu.runtimeMs - idleRate * cpu.wallMs) / joins,
		proxyMsPerJoin: cpu.proxyMs / joins,
		idleRate,
		quiet,
		wallMs: cpu.wallMs
	};
}
