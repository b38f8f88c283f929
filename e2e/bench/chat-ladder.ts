// The fixed-rate (open-loop) ladder of bench:chat: messages are sent on a clock, whatever the room does
// with them, so latency is what a member feels at that load rather than what a closed loop lets through.
// Each cell sends `rate` messages per second for a while (round-robin over the senders) and then gives
// the room a grace period; a cell whose deliveries have not all arrived by then has fallen behind and is
// marked saturated (its figures are not averaged in, and higher rates are not tried). ChatRoom's and
// RelayRoom's cells are sent in interleaved slices (pairedLadder), so both meet the same moments of load.
import { setTimeout as sleep } from 'node:timers/promises';
import { messageNumber, type Audience, type Measured } from './chat-audience.ts';
import { now } from './chat-socket.ts';
import { cpuInterval, type CpuDelta, type WorkerdProcesses } from './workerd-cpu.ts';

export interface LadderOptions {
	/** How long each cell sends, ms (all its slices together). */
	cellMs: number;
	/** After a slice's last send, how long the room may take to deliver everything, ms. */
	graceMs: number;
	/** Fewest messages per cell (light rates send for longer). */
	minMessages: number;
	/** Each cell's messages are sent in this many slices, the two objects taking turns slice by slice. */
	slices: number;
	processes: WorkerdProcesses;
}

export interface Cell {
	rate: number;
	measured: Measured;
	cpu: CpuDelta;
	/** Sends that left later than their slot, p99, ms (the client falling behind its own clock). */
	sendLagP99: number;
	saturated: boolean;
}

/** `count` messages at `rate` messages per second, then the grace period. */
export async function fixedRate(
	audience: Audience,
	rate: number,
	count: number,
	options: LadderOptions
): Promise<Cell> {
	const senders = audience.senderCount;
	await audience.record();
	const cpu = cpuInterval(options.processes);
	const start = now() + 5;
	const slot = (i: number) => start + (i * 1000) / rate;
	const lags: number[] = [];
	for (let i = 0; i < count;) {
		const t = now();
		for (; i < count && slot(i) <= t; i++) {
			audience.send(i % senders, messageNumber());
			lags.push(now() - slot(i));
		}
		if (i < count) await sleep(Math.max(0, slot(i) - now()));
	}
	const expected = count * audience.size;
	const deadline = now() + options.graceMs;
	while (now() < deadline && (await audience.count()) < expected) await sleep(20);
	const spent = cpu();
	const measured = await audience.stop();
	lags.sort((a, b) => a - b);
	return {
		rate,
		measured,
		cpu: spent,
		sendLagP99: percentile(lags, 99),
		saturated: measured.latencies.length < measured.expected
	};
}

/** Messages one cell sends at `rate`. */
export function cellMessages(rate: number, options: LadderOptions): number {
	return Math.max(options.minMessages, Math.round((rate * options.cellMs) / 1000));
}

/**
 * Both objects' ladders, rate by rate, each cell sent in `slices` slices with the objects taking turns
 * (A B, then B A, …): on a shared machine the load moves within seconds (one object's p95 went 13 →
 * 239 ms between neighbouring cells), and a cell measured in one stretch compared two moments as much as
 * two objects. An object stops at its first saturated cell, and `saturated` runs then (close it, let the
 * runtime drain) before the other goes on alone.
 */
export async function pairedLadder<K extends string>(
	audiences: [K, Audience][],
	rates: number[],
	options: LadderOptions,
	saturated: (kind: K) => Promise<void>
): Promise<Map<K, Cell[]>> {
	const cells = new Map<K, Cell[]>(audiences.map(([kind]) => [kind, []]));
	let running = [...audiences];
	for (const rate of [...rates].sort((a, b) => a - b)) {
		if (running.length === 0) break;
		const count = cellMessages(rate, options);
		const slices = Math.min(options.slices, count);
		const parts = new Map<K, Cell[]>(running.map(([kind]) => [kind, []]));
		for (let s = 0; s < slices; s++) {
			const share = Math.floor(((s + 1) * count) / slices) - Math.floor((s * count) / slices);
			for (const [kind, audience] of inTurn(running, s)) {
				const slice = await fixedRate(audience, rate, share, options);
				parts.get(kind)!.push(slice);
				if (slice.saturated) {
					// Behind: its backlog would land in the other object's slices. Its cell ends here.
					running = running.filter(([k]) => k !== kind);
					await saturated(kind);
				}
				await sleep(100);
			}
		}
		for (const [kind, slices] of parts) cells.get(kind)!.push(merged(slices));
	}
	return cells;
}

/** `items` in turn `round`: as given in even rounds, reversed in odd ones (A B, B A, …). */
export function inTurn<T>(items: readonly T[], round: number): T[] {
	return round % 2 === 0 ? [...items] : [...items].reverse();
}

/** One cell from its slices: every delivery of every slice, CPU and bytes summed. */
function merged(slices: Cell[]): Cell {
	const m = slices.map((c) => c.measured);
	const sum = (f: (x: Measured) => number) => m.reduce((total, x) => total + f(x), 0);
	return {
		rate: slices[0]!.rate,
		measured: {
			sent: sum((x) => x.sent),
			expected: sum((x) => x.expected),
			latencies: m.flatMap((x) => x.latencies).sort((a, b) => a - b),
			clientCpuMs: sum((x) => x.clientCpuMs),
			clientElu: Math.max(...m.map((x) => x.clientElu)),
			wallMs: sum((x) => x.wallMs),
			listenerBytes: sum((x) => x.listenerBytes),
			listenerDeliveries: sum((x) => x.listenerDeliveries),
			firstSent: Math.min(...m.map((x) => x.firstSent)),
			lastArrival: Math.max(...m.map((x) => x.lastArrival))
		},
		cpu: {
			runtimeMs: slices.reduce((t, c) => t + c.cpu.runtimeMs, 0),
			proxyMs: slices.reduce((t, c) => t + c.cpu.proxyMs, 0),
			wallMs: slices.reduce((t, c) => t + c.cpu.wallMs, 0)
		},
		sendLagP99: Math.max(...slices.map((c) => c.sendLagP99)),
		saturated: slices.some((c) => c.saturated)
	};
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * (p / 100)))] ?? 0;
}
