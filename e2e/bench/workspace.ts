// Workspace sync benchmark (npm run bench:workspace): against the built worker under `wrangler dev` on
// loopback, measures (1) catch-up after a reconnect: the browser's own SyncEngine (src/lib/workspace/
// sync-engine.ts, run here under Node and fed the socket's bytes by engine-wire.ts) was offline while
// 10,000 events were appended, reconnects and pulls them all by the real protocol rules, and what that
// costs on the wire; (2) push-to-other-client latency at 100 events/s; (3) docs: two members typing into
// one collaborative text at once, beside plain Yjs sync on the same runtime, and cold loads of a
// 100,000-edit text compacted vs not (workspace-docs.ts). The writer and the listener speak
// the channel contract (src/lib/protocol/workspace-channel.ts) through ChannelWire and the built WASM
// codec (Node 24 WebSocket). Real users, a real workspace and real JWTs. Starts and stops its own server
// (e2e/support/serve.mjs).
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';
import { formPost, percentile, signUp, startLocalServer } from './local-server.ts';

// The app's modules import `$lib/…` and extension-less siblings (Vite resolves them), and the contract's
// classes use parameter properties, which Node's default type stripping refuses: teach Node the two
// resolution rules and transform (not only strip) the app's TypeScript, so the benchmark runs the
// browser's sync code and the contract themselves rather than a copy of their logic.
const SRC_LIB = new URL('../../src/lib/', import.meta.url);
registerHooks({
	resolve(specifier, context, next) {
		if (specifier.startsWith('$lib/')) return next(new URL(`${specifier.slice(5)}.ts`, SRC_LIB).href, context);
		if (specifier.startsWith('.') && context.parentURL?.startsWith(SRC_LIB.href) && !/\.\w+$/.test(specifier)) {
			return next(new URL(`${specifier}.ts`, context.parentURL).href, context);
		}
		return next(specifier, context);
	},
	load(url, context, next) {
		const loaded = next(url, context);
		if (!url.startsWith(SRC_LIB.href) || !url.endsWith('.ts')) return loaded;
		const source = stripTypeScriptTypes(String(loaded.source), { mode: 'transform', sourceUrl: url });
		return { ...loaded, format: 'module', source };
	}
});
const { ChannelWire } = await import('../../src/lib/protocol/channel.ts');
const { workspaceChannel } = await import('../../src/lib/protocol/workspace-channel.ts');
const { SyncEngine } = await import('../../src/lib/workspace/sync-engine.ts');
const { EngineWire } = await import('../../src/lib/workspace/engine-wire.ts');
const { MemoryPendingStore } = await import('../../src/lib/workspace/pending-store.ts');
const { PULL_BURST_MAX_PAGES, PUSH_MAX_EVENTS } = await import('../../src/lib/protocol/workspace-messages.ts');
const docs = await import('./workspace-docs.ts');

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

const { codec } = loadNodeCodec();
const wire = new ChannelWire(workspaceChannel, codec);
type Frame = ReturnType<typeof wire.decodeServer>;
type EventsPayload = Extract<Frame, { type: 'events' }>['payload'];

async function createWorkspace(cookie: string): Promise<string> {
	const response = await formPost(BASE, '/workspace?/create', { name: 'bench' }, cookie);
	const id = /\/workspace\/([0-9a-f-]+)$/.exec(response.headers.get('location') ?? '')?.[1];
	if (!id) throw new Error(`create failed: ${response.status}`);
	return id;
}

async function socketUrl(cookie: string, workspaceId: string): Promise<string> {
	const { token } = (await (await fetch(`${BASE}/api/workspace/token`, { headers: { cookie } })).json()) as {
		token: string;
	};
	return `ws://127.0.0.1:${PORT}/workspace/${workspaceId}/ws?token=${token}&v=${workspaceChannel.version}`;
}

async function opened(ws: WebSocket): Promise<void> {
	ws.binaryType = 'arraybuffer';
	await new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true });
		ws.addEventListener('error', reject, { once: true });
	});
}

/** A protocol client: decoded frames go to `onFrame`; `until` awaits a predicate over incoming frames. */
class Client {
	private ws!: WebSocket;
	private waiters: { test: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
	onFrame: (frame: Frame, receivedAt: number) => void = () => {};
	backendId: string | null = null;
	cursor = 0;
	private inbox: EventsPayload[] = [];
	private inboxWaiter: (() => void) | null = null;

	private readonly cookie: string;
	private readonly workspaceId: string;

	constructor(cookie: string, workspaceId: string) {
		this.cookie = cookie;
		this.workspaceId = workspaceId;
	}

	async open(): Promise<void> {
		this.ws = new WebSocket(await socketUrl(this.cookie, this.workspaceId));
		this.ws.addEventListener('message', (event) => {
			const receivedAt = performance.now();
			const frame = wire.decodeServer(event.data as ArrayBuffer);
			if (frame.type === 'events') {
				const { events } = frame.payload;
				if (events.length) this.cursor = Math.max(this.cursor, events.at(-1)!.seq);
				this.backendId = frame.payload.backendId;
				if (!frame.payload.live) {
					this.inbox.push(frame.payload);
					this.inboxWaiter?.();
				}
			}
			this.onFrame(frame, receivedAt);
			this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
		});
		const hello = this.until((f) => f.type === 'hello');
		await opened(this.ws);
		await hello;
	}

	until(test: (f: Frame) => boolean): Promise<Frame> {
		return new Promise((resolve) => this.waiters.push({ test, resolve }));
	}

	pull(lastBurstId?: string) {
		this.ws.send(wire.encodeClient('pull', { cursor: this.cursor, backendId: this.backendId, lastBurstId }));
	}

	push(events: ReturnType<typeof task>[]) {
		this.ws.send(wire.encodeClient('push', { parent: this.cursor, events }));
	}

	/**
	 * Pulls until live, following the protocol: wait through a burst, pull again only on `pullAgain`,
	 * returning the burst's `burstId` (one burst outstanding per socket).
	 */
	async catchUp(): Promise<void> {
		this.pull();
		for (;;) {
			const page = await this.nextPage();
			if (!page.more) return;
			if (page.pullAgain) this.pull(page.burstId);
		}
	}

	private async nextPage(): Promise<EventsPayload> {
		while (this.inbox.length === 0) await new Promise<void>((resolve) => (this.inboxWaiter = resolve));
		return this.inbox.shift()!;
	}

	close() {
		this.ws.close(1000);
	}
}

/**
 * The browser's SyncEngine on a Node WebSocket: connects with a fresh token like the page does, and counts
 * the frames, pulls and bytes that cross the wire (and the JSON inside them, before LZ4).
 */
class EngineClient {
	readonly engine: InstanceType<typeof SyncEngine>;
	private readonly engineWire: InstanceType<typeof EngineWire>;
	private ws: WebSocket | null = null;
	frames = 0;
	pulls = 0;
	bytes = 0;
	/** This run's frames, kept to measure the JSON inside them after the clock stops. */
	received: ArrayBuffer[] = [];

	private readonly cookie: string;

	constructor(cookie: string, workspaceId: string) {
		this.cookie = cookie;
		this.engine = new SyncEngine(workspaceId, new MemoryPendingStore());
		this.engineWire = new EngineWire(this.engine, wire);
	}

	async connect(): Promise<void> {
		const ws = new WebSocket(await socketUrl(this.cookie, this.engine.workspaceId));
		this.ws = ws;
		ws.addEventListener('message', (event) => {
			const data = event.data as ArrayBuffer;
			this.bytes += data.byteLength;
			this.received.push(data);
			if (this.engineWire.receive(data).type === 'events') this.frames++;
		});
		await opened(ws);
		this.engineWire.connected(
			(frame) => ws.send(frame),
			(message) => message.type === 'pull' && this.pulls++
		);
	}

	/** The JSON inside this run's frames, before LZ4 (decoded again here, outside the timed catch-up). */
	jsonBytes(): number {
		return this.received.reduce((sum, frame) => sum + codec.decode(frame).payload.byteLength, 0);
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
		name: 'task.created' as const,
		args: { id: `${clientId}-${clientSeq}`, title, status: 'todo' as const, order: clientSeq, assignee: null },
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
		const echoed = writer.until((f) => f.type === 'events' && f.payload.live);
		writer.push(events);
		await echoed;
	}
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
	const server = await startLocalServer(PORT);
	try {
		const cookie = await signUp(BASE, `bench${Date.now().toString(36)}`);
		const workspaceId = await createWorkspace(cookie);
		// BENCH_ONLY=docs runs the doc section alone (while working on it); the whole run is the record.
		const docSection = () =>
			docs.docSection({ base: BASE, port: PORT, ownerCookie: cookie, workspaceId, socketUrl, wire });
		if (process.env.BENCH_ONLY === 'docs') return await docSection();

		// ---- 1. catch-up after a reconnect ----------------------------------------------------------
		const writer = new Client(cookie, workspaceId);
		await writer.open();
		await writer.catchUp();
		const reader = new EngineClient(cookie, workspaceId);
		await reader.engine.init();
		await reader.connect();
		await reader.caughtUp(writer.cursor);
		const catchUps: { ms: number; frames: number; pulls: number; bytes: number; jsonBytes: number }[] = [];
		let writerSeq = 1;
		for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
			reader.disconnect(); // offline while others write
			await preload(writer, 'bench-writer', writerSeq, CATCH_UP_EVENTS);
			writerSeq += CATCH_UP_EVENTS;
			const from = reader.engine.view().cursor;
			reader.frames = reader.pulls = reader.bytes = 0;
			reader.received = [];
			const started = performance.now();
			await reader.connect(); // reconnect: fresh token, handshake, hello, pulls
			await reader.caughtUp(writer.cursor);
			const ms = performance.now() - started;
			const got = reader.engine.view().cursor - from;
			if (got !== CATCH_UP_EVENTS) throw new Error(`caught up ${got} events`);
			catchUps.push({
				ms,
				frames: reader.frames,
				pulls: reader.pulls,
				bytes: reader.bytes,
				jsonBytes: reader.jsonBytes()
			});
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
			if (frame.type !== 'events' || !frame.payload.live) return;
			for (const event of frame.payload.events) {
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
			writer.push(queue.slice(0, PRELOAD_BATCH));
		};
		writer.onFrame = (frame) => {
			if (frame.type === 'events' && frame.payload.live) {
				const done = new Set(frame.payload.events.map((e) => `${e.clientId}#${e.clientSeq}`));
				while (queue.length && done.has(`${queue[0].clientId}#${queue[0].clientSeq}`)) queue.shift();
				inFlight = false;
				flush();
			} else if (frame.type === 'push-rejected') {
				rejected++;
				inFlight = false;
				flush();
			} else if (frame.type === 'error' && frame.payload.code === 'rate-limited') {
				// Like the engine: wait as told, then push whatever queued up meanwhile.
				rateLimited++;
				setTimeout(() => {
					inFlight = false;
					flush();
				}, frame.payload.retryAfterMs ?? 1_000);
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
			['catch-up: bytes on the wire per run (MB, codec frames)', (catchUps[0].bytes / 1e6).toFixed(2)],
			['catch-up: JSON inside those frames (MB, before LZ4)', (catchUps[0].jsonBytes / 1e6).toFixed(2)],
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

		// ---- 3. docs: collaborative texts --------------------------------------------------------------
		await docSection();
	} finally {
		server.stop();
	}
}

await main();
