// Closed-loop saturation of bench:chat: each sender keeps `window` messages in flight, sending the next
// one when one of its own comes back through the room (the same signal for both objects), until it has
// sent `perSender`. The room then runs as fast as it can: delivered messages per second is its ceiling.
import { setTimeout as sleep } from 'node:timers/promises';
import { messageNumber, type Audience, type Measured } from './chat-audience.ts';
import { now } from './chat-socket.ts';
import { cpuInterval, type CpuDelta, type WorkerdProcesses } from './workerd-cpu.ts';

export interface Saturation {
	measured: Measured;
	cpu: CpuDelta;
	/** Deliveries per second, first send → last arrival. */
	deliveredPerSecond: number;
	messagesPerSecond: number;
	complete: boolean;
	/** Deliveries per second of every run, when this is the median of several. */
	roundsPerSecond?: number[];
}

export async function closedLoop(
	audience: Audience,
	{
		perSender,
		window,
		timeoutMs,
		processes
	}: { perSender: number; window: number; timeoutMs: number; processes: WorkerdProcesses }
): Promise<Saturation> {
	const senders = audience.senderCount;
	const sentBy = new Array<number>(senders).fill(0);
	/** In-flight message → its sender: a sender reacts only to its own messages coming back. */
	const inFlight = new Map<number, number>();
	const sendNext = (s: number) => {
		if (sentBy[s]! >= perSender) return;
		sentBy[s]! += 1;
		const n = messageNumber();
		inFlight.set(n, s);
		audience.send(s, n);
	};
	await audience.record();
	const cpu = cpuInterval(processes);
	audience.onSenderDelivery = (s, n) => {
		if (inFlight.get(n) !== s) return;
		inFlight.delete(n);
		sendNext(s); // one of its own came back through the room: its window has room for the next
	};
	try {
		for (let s = 0; s < senders; s++) for (let w = 0; w < window; w++) sendNext(s);
		const expected = senders * perSender * audience.size;
		const deadline = now() + timeoutMs;
		while (now() < deadline && (await audience.count()) < expected) await sleep(20);
	} finally {
		audience.onSenderDelivery = null;
	}
	const spent = cpu();
	const measured = await audience.stop();
	const seconds = (measured.lastArrival - measured.firstSent) / 1000;
	return {
		measured,
		cpu: spent,
		deliveredPerSecond: measured.latencies.length / seconds,
		messagesPerSecond: measured.sent / seconds,
		complete: measured.latencies.length === measured.expected
	};
}
