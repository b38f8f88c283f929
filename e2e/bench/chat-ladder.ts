// The fixed-rate (open-loop) ladder of bench:chat: messages are sent on a clock, whatever the room does
// with them, so latency is what a member feels at that load rather than what a closed loop lets through.
// Each cell sends `rate` messages per second for a while (round-robin over the senders) and then gives
// the room a grace period; a cell whose deliveries have not all arrived by then has fallen behind and is
// marked saturated (its figures are not averaged in, and higher rates are not tried).
import { setTimeout as sleep } from 'node:timers/promises';
import { messageNumber, type Audience, type Measured } from './chat-audience.ts';
import { now } from './chat-socket.ts';
import { cpuInterval, type CpuDelta, type WorkerdProcesses } from './workerd-cpu.ts';

export interface LadderOptions {
	/** How long each cell sends, ms. */
	cellMs: number;
	/** After the last send, how long the room may take to deliver everything, ms. */
	graceMs: number;
	/** Fewest messages per cell (light rates send for longer). */
	minMessages: number;
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

/** One cell at `rate` messages per second. */
export async function fixedRate(audience: Audience, rate: number, options: LadderOptions): Promise<Cell> {
	const count = Math.max(options.minMessages, Math.round((rate * options.cellMs) / 1000));
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
		sendLagP99: lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))] ?? 0,
		saturated: measured.latencies.length < measured.expected
	};
}

/** The rates in ascending order, up to and including the first saturated one. */
export async function ladder(audience: Audience, rates: number[], options: LadderOptions): Promise<Cell[]> {
	const cells: Cell[] = [];
	for (const rate of [...rates].sort((a, b) => a - b)) {
		const cell = await fixedRate(audience, rate, options);
		cells.push(cell);
		if (cell.saturated) break;
		await sleep(200);
	}
	return cells;
}
