// The client half of a catch-up on identical input, for bench:workspace's catch-up section: the frames one
// real run received (hello, then the pull pages of 10,000 events) are fed again, from memory, through each
// checkout's EngineWire and SyncEngine — decode, validation, fold into an empty board — several times in
// turn. No server and no socket, so what it compares is the client's code alone, with less of the noise
// of a shared machine than a whole reconnect has.
import type { Checkout } from './workspace-checkout.ts';

/** Replays per checkout; the table shows their minimum and median. */
const REPLAYS = 7;

/** Where the replayed run's log started: the engine resumes there, on an empty board. */
export interface ReplayStart {
	backendId: string | null;
	cursor: number;
}

async function replayOnce(checkout: Checkout, frames: ArrayBuffer[], from: ReplayStart): Promise<number> {
	const store = new checkout.MemoryPendingStore();
	if (from.backendId !== null) {
		const state = { tasks: new Map(), docs: new Map() };
		await store.saveSnapshot('replay', { backendId: from.backendId, cursor: from.cursor, state });
	}
	const engine = new checkout.SyncEngine('replay', store);
	await engine.init();
	const engineWire = new checkout.EngineWire(engine, checkout.wire);
	engineWire.connected(() => {});
	(globalThis as { gc?: () => void }).gc?.();
	const started = performance.now();
	for (const frame of frames) engineWire.receive(frame);
	const ms = performance.now() - started;
	const { status, cursor, error } = engine.view();
	if (status !== 'synced') throw new Error(`${checkout.label}: the replay ended ${status} at ${cursor} (${error})`);
	engine.dispose();
	return ms;
}

export async function replayClient(checkouts: Checkout[], frames: ArrayBuffer[], from: ReplayStart): Promise<void> {
	const times = checkouts.map(() => [] as number[]);
	for (let i = 0; i < REPLAYS; i++) {
		for (const [k, checkout] of checkouts.entries()) times[k].push(await replayOnce(checkout, frames, from));
	}
	const fmt = (n: number) => n.toFixed(1);
	console.log(`\nClient alone: one run's ${frames.length} frames replayed from memory, ${REPLAYS}× per checkout`);
	checkouts.forEach((checkout, k) => {
		const sorted = [...times[k]].sort((a, b) => a - b);
		const line = `min ${fmt(sorted[0])} / median ${fmt(sorted[Math.floor(sorted.length / 2)])} ms`;
		console.log(`  ${checkout.label.padEnd(24)} ${line}`);
	});
	if (checkouts.length === 2) {
		const medians = times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]);
		console.log(`  median ratio ${fmt(medians[0] / medians[1])}×`);
	}
}
