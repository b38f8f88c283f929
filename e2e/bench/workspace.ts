// Workspace sync benchmark (npm run bench:workspace): against the built worker under `wrangler dev` on
// loopback, measures (1) catch-up after a reconnect: the browser's own SyncEngine (src/lib/workspace/
// sync-engine.ts, run here under Node) was offline while 10,000 events were appended, reconnects and
// pulls them all by the real protocol rules; (2) push-to-other-client latency at 100 events/s. The writer
// speaks the JSON protocol of src/lib/protocol/workspace-messages.ts directly (Node 24 WebSocket). Real
// users, a real workspace and real JWTs. Starts and stops its own server (e2e/support/serve.mjs).
import { registerHooks } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { formPost, percentile, signUp, startLocalServer } from './local-server.ts';

// The app's modules import `$lib/…` and extension-less siblings (Vite resolves them); teach Node the same
// two rules so the benchmark runs the browser's sync code itself rather than a copy of its logic.
const SRC_LIB = new URL('../../src/lib/', import.meta.url);
registerHooks({
	resolve(specifier, context, next) {
		if (specifier.startsWith('$lib/')) return next(new URL(`${specifier.slice(5)}.ts`, SRC_LIB).href, context);
		if (specifier.startsWith('.') && context.parentURL?.startsWith(SRC_LIB.href) && !/\.\w+$/.test(specifier)) {
			return next(new URL(`${specifier}.ts`, context.parentURL).href, context);
		}
		return next(specifier, context);
	}
});
const { SyncEngine } = await import('../../src/lib/workspace/sync-engine.ts');
const { MemoryPendingStore } = await import('../../src/lib/workspace/pending-store.ts');
const { PULL_BURST_MAX_PAGES, PUSH_MAX_EVENTS } = await import('../../src/lib/protocol/workspace-messages.ts');

const PORT = Number(process.env.BENCH_PORT ?? process.env.E2E_PORT ?? 8792);
const BASE = `http://127.0.0.1:${PORT}`;
/** The catch-up size the issue asks for. */
const CATCH_UP_EVENTS = 10_000;
/** Catch-up is measured this many times (each after a fresh 10,000 events) and the median reported. */
const CATCH_UP_ROUNDS = 3;
/** Events per push while preloading the log: the protocol's maximum batch. */
const PRELOAD_BATCH = PUSH_MAX_EVENTS;
/** The push rate the issue asks for, and how long to sustain it. */
const RATE_PER_SECOND = 100;
const LATENCY_EVENTS = 1_000;

type Frame = { type: string; [key: string]: unknown };
type LoggedEvent = { seq: number; clientId: string; clientSeq: number; args: { title?: string } };

async function createWorkspace(cookie: string): Promise<string> {
	const response = await formPost(BASE, '/workspace?/create', { name: 'bench' }, cookie);
	const id = /\/workspace\/([0-9a-f-]+)$/.exec(response.headers.get('location') ?? '')?.[1];
	if (!id) throw new Error(`create failed: ${response.status}`);
	return id;
}

async function token(cookie: string): Promise<string> {
	return ((await (await fetch(`${BASE}/api/workspace/token`, { headers: { cookie } })).json()) as { token: string })
		.token;
}

/** A protocol client: frames go to `onFrame`; `until` awaits a predicate over incoming frames. */
class Client {
	private ws!: WebSocket;
	private waiters: { test: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
	onFrame: (frame: Frame, receivedAt: number) => void = () => {};
	backendId: string | null = null;
	cursor = 0;

	private readonly cookie: string;
	private readonly workspaceId: string;

	constructor(cookie: string, workspaceId: string) {
		this.cookie = cookie;
		this.workspaceId = workspaceId;
	}

	async open(): Promise<Frame> {
		const url = `ws://127.0.0.1:${PORT}/workspace/${this.workspaceId}/ws?token=${await token(this.cookie)}`;
		this.ws = new WebSocket(url);
		this.ws.addEventListener('message', (event) => {
			const receivedAt = performance.now();
			const frame = JSON.parse(event.data as string) as Frame;
			if (frame.type === 'events') {
				const events = frame.events as LoggedEvent[];
				if (events.length) this.cursor = Math.max(this.cursor, events.at(-1)!.seq);
				this.backendId = frame.backendId as string;
			}
			if (frame.type === 'events' && frame.live === false) {
				this.inbox.push(frame);
				this.inboxWaiter?.();
			}
			this.onFrame(frame, receivedAt);
			this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
		});
		const hello = this.until((f) => f.type === 'hello');
		await new Promise((resolve, reject) => {
			this.ws.addEventListener('open', resolve, { once: true });
			this.ws.addEventListener('error', reject, { once: true });
		});
		return hello;
	}

	until(test: (f: Frame) => boolean): Promise<Frame> {
		return new Promise((resolve) => this.waiters.push({ test, resolve }));
	}

	send(message: unknown) {
		this.ws.send(JSON.stringify(message));
	}

	/**
	 * Pulls until live, following the protocol: wait through a burst, pull again only on `pullAgain`,
	 * returning the burst's `burstId` (one burst outstanding per socket).
	 */
	async catchUp(): Promise<void> {
		this.send({ type: 'pull', cursor: this.cursor, backendId: this.backendId });
		for (;;) {
			const frame = await this.nextPage();
			if (!frame.more) return;
			if (frame.pullAgain) {
				this.send({ type: 'pull', cursor: this.cursor, backendId: this.backendId, lastBurstId: frame.burstId });
			}
		}
	}

	private inbox: Frame[] = [];
	private inboxWaiter: (() => void) | null = null;

	private async nextPage(): Promise<Frame> {
		while (this.inbox.length === 0) await new Promise<void>((resolve) => (this.inboxWaiter = resolve));
		return this.inbox.shift()!;
	}

	close() {
		this.ws.close(1000);
	}
}

/**
 * The browser's SyncEngine on a Node WebSocket: connects with a fresh token like the page does, and counts
 * the frames, pulls and bytes that cross the wire.
 */
class EngineClient {
	readonly engine: InstanceType<typeof SyncEngine>;
	private ws: WebSocket | null = null;
	frames = 0;
	pulls = 0;
	bytes = 0;

	private readonly cookie: string;

	constructor(cookie: string, workspaceId: string) {
		this.cookie = cookie;
		this.engine = new SyncEngine(workspaceId, new MemoryPendingStore());
	}

	async connect(): Promise<void> {
		const url = `ws://127.0.0.1:${PORT}/workspace/${this.engine.workspaceId}/ws?token=${await token(this.cookie)}`;
		const ws = new WebSocket(url);
		this.ws = ws;
		ws.addEventListener('message', (event) => {
			const text = event.data as string;
			this.bytes += Buffer.byteLength(text);
			if (text.startsWith('{"type":"events"')) this.frames++;
			this.engine.receive(text);
		});
		await new Promise((resolve, reject) => {
			ws.addEventListener('open', resolve, { once: true });
			ws.addEventListener('error', reject, { once: true });
		});
		this.engine.connected((text) => {
			if (text.startsWith('{"type":"pull"')) this.pulls++;
			ws.send(text);
		});
	}

	disconnect() {
		this.ws?.close(1000);
		this.ws = null;
		this.engine.disconnected();
	}

	/** Resolves once the engine is live and holds every event up to `head`. */
	caughtUp(head: number): Promise<void> {
		return new Promise((resolve) => {
			const stop = this.engine.subscribe((view) => {
				if (view.status !== 'synced' || view.cursor < head) return;
				queueMicrotask(() => stop());
				resolve();
			});
		});
	}
}

function task(clientId: string, clientSeq: number, title: string) {
	return {
		name: 'task.created',
		args: { id: `${clientId}-${clientSeq}`, title, status: 'todo', order: clientSeq, assignee: null },
		clientId,
		clientSeq,
		at: Date.now()
	};
}

async function preload(writer: Client, clientId: string, fromSeq: number, count: number) {
	for (let done = 0; done < count; done += PRELOAD_BATCH) {
		const events = Array.from({ length: Math.min(PRELOAD_BATCH, count - done) }, (_, i) =>
			task(clientId, fromSeq + done + i, `Preloaded task number ${fromSeq + done + i} with a realistic title`)
		);
		const echoed = writer.until((f) => f.type === 'events' && f.live === true);
		writer.send({ type: 'push', parent: writer.cursor, events });
		await echoed;
	}
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
	const server = await startLocalServer(PORT);
	try {
		const cookie = await signUp(BASE, `bench${Date.now().toString(36)}`);
		const workspaceId = await createWorkspace(cookie);

		// ---- 1. catch-up after a reconnect ----------------------------------------------------------
		const writer = new Client(cookie, workspaceId);
		await writer.open();
		await writer.catchUp();
		const reader = new EngineClient(cookie, workspaceId);
		await reader.engine.init();
		await reader.connect();
		await reader.caughtUp(writer.cursor);
		const catchUps: { ms: number; frames: number; pulls: number; bytes: number }[] = [];
		let writerSeq = 1;
		for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
			reader.disconnect(); // offline while others write
			await preload(writer, 'bench-writer', writerSeq, CATCH_UP_EVENTS);
			writerSeq += CATCH_UP_EVENTS;
			const from = reader.engine.view().cursor;
			reader.frames = reader.pulls = reader.bytes = 0;
			const started = performance.now();
			await reader.connect(); // reconnect: fresh token, handshake, hello, pulls
			await reader.caughtUp(writer.cursor);
			const ms = performance.now() - started;
			const got = reader.engine.view().cursor - from;
			if (got !== CATCH_UP_EVENTS) throw new Error(`caught up ${got} events`);
			catchUps.push({ ms, frames: reader.frames, pulls: reader.pulls, bytes: reader.bytes });
		}
		reader.disconnect();
		// The latency part listens on a plain protocol client.
		const listener = new Client(cookie, workspaceId);
		await listener.open();
		await listener.catchUp();

		// ---- 2. push-to-other-client latency at 100 events/s ---------------------------------------
		const sentAt = new Map<string, number>();
		const latencies: number[] = [];
		listener.onFrame = (frame, receivedAt) => {
			if (frame.type !== 'events' || !frame.live) return;
			for (const event of frame.events as LoggedEvent[]) {
				const t = sentAt.get(`${event.clientId}#${event.clientSeq}`);
				if (t !== undefined) latencies.push(receivedAt - t);
			}
		};
		// The writer behaves like the sync engine: one push in flight; edits made meanwhile go in the next batch.
		const queue: ReturnType<typeof task>[] = [];
		let inFlight = false;
		let rejected = 0;
		let rateLimited = 0;
		const flush = () => {
			if (inFlight || queue.length === 0) return;
			inFlight = true;
			writer.send({ type: 'push', parent: writer.cursor, events: queue.slice(0, PRELOAD_BATCH) });
		};
		writer.onFrame = (frame) => {
			if (frame.type === 'events' && frame.live) {
				const done = new Set((frame.events as LoggedEvent[]).map((e) => `${e.clientId}#${e.clientSeq}`));
				while (queue.length && done.has(`${queue[0].clientId}#${queue[0].clientSeq}`)) queue.shift();
				inFlight = false;
				flush();
			} else if (frame.type === 'push-rejected') {
				rejected++;
				inFlight = false;
				flush();
			} else if (frame.type === 'error' && frame.code === 'rate-limited') {
				// Like the engine: wait as told, then push whatever queued up meanwhile.
				rateLimited++;
				setTimeout(() => {
					inFlight = false;
					flush();
				}, frame.retryAfterMs as number);
			} else if (frame.type === 'error') {
				throw new Error(`push refused: ${JSON.stringify(frame)}`);
			}
		};
		const intervalMs = 1000 / RATE_PER_SECOND;
		const start = performance.now();
		for (let i = 0; i < LATENCY_EVENTS; i++) {
			const due = start + i * intervalMs;
			const wait = due - performance.now();
			if (wait > 0) await sleep(wait);
			const event = task('bench-latency', i + 1, `Live task ${i}`);
			sentAt.set(`bench-latency#${i + 1}`, performance.now());
			queue.push(event);
			flush();
		}
		const sendSeconds = (performance.now() - start) / 1000;
		const deadline = Date.now() + 10_000;
		while (latencies.length < LATENCY_EVENTS && Date.now() < deadline) await sleep(20);
		writer.close();
		listener.close();
		reader.engine.dispose();

		const sorted = [...latencies].sort((a, b) => a - b);
		const fmt = (n: number) => n.toFixed(1);
		const catchUpMedian = median(catchUps.map((c) => c.ms));
		const rows: [string, string][] = [
			['catch-up: events per reconnect', String(CATCH_UP_EVENTS)],
			['catch-up: runs (ms)', catchUps.map((c) => fmt(c.ms)).join(' / ')],
			['catch-up: median (ms, reconnect incl. token + handshake)', fmt(catchUpMedian)],
			['catch-up: events/s (median run)', Math.round(CATCH_UP_EVENTS / (catchUpMedian / 1000)).toLocaleString('en')],
			['catch-up: max pages per pull burst', String(PULL_BURST_MAX_PAGES)],
			['catch-up: pulls per run', String(catchUps[0].pulls)],
			['catch-up: event frames per run', String(catchUps[0].frames)],
			['catch-up: payload per run (MB)', (catchUps[0].bytes / 1e6).toFixed(2)],
			['latency: target rate (events/s)', String(RATE_PER_SECOND)],
			['latency: achieved rate (events/s)', fmt(LATENCY_EVENTS / sendSeconds)],
			['latency: events delivered / sent', `${latencies.length} / ${LATENCY_EVENTS}`],
			['latency: push→other client p50 (ms)', fmt(percentile(sorted, 50))],
			['latency: push→other client p99 (ms)', fmt(percentile(sorted, 99))],
			['latency: max (ms)', fmt(sorted.at(-1) ?? NaN)],
			['latency: server-ahead rejections', String(rejected)],
			['latency: rate-limited answers', String(rateLimited)]
		];
		const width = Math.max(...rows.map(([k]) => k.length));
		console.log(`\nWorkspace sync benchmark (wrangler dev, loopback, port ${PORT})`);
		console.log(`${'metric'.padEnd(width)} | value`);
		console.log(`${'-'.repeat(width)}-|-${'-'.repeat(24)}`);
		for (const [k, v] of rows) console.log(`${k.padEnd(width)} | ${v}`);
	} finally {
		server.stop();
	}
}

await main();
