// Workspace sync benchmark (npm run bench:workspace): against the built worker under `wrangler dev` on
// loopback, measures (1) catch-up after a reconnect: the browser's own SyncEngine was offline while
// 10,000 events were appended, reconnects and pulls them all, with where the time went and, with
// BENCH_REFERENCE=<git rev>, against that commit in the same run (workspace-catchup.ts); (2)
// push-to-other-client latency at 100 events/s; (3) docs: two members typing into
// one collaborative text at once, beside plain Yjs sync on the same runtime, and cold loads of a
// 100,000-edit text compacted vs not (workspace-docs.ts). The writer and the listener speak
// the channel contract (src/lib/protocol/workspace-channel.ts) through ChannelWire and the built WASM
// codec (Node 24 WebSocket). Real users, a real workspace and real JWTs. Starts and stops its own server
// (e2e/support/serve.mjs). BENCH_ONLY=catchup|latency|docs (or several, comma-separated) runs only those.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';
import { registerCheckout } from './app-loader.ts';
import { formPost, percentile, signUp, startLocalServer } from './local-server.ts';

registerCheckout(new URL('../../', import.meta.url));
const { ChannelWire } = await import('../../src/lib/protocol/channel.ts');
const { workspaceChannel } = await import('../../src/lib/protocol/workspace-channel.ts');
const { PUSH_MAX_EVENTS } = await import('../../src/lib/protocol/workspace-messages.ts');
const docs = await import('./workspace-docs.ts');
const { catchUpSection } = await import('./workspace-catchup.ts');

const PORT = Number(process.env.BENCH_PORT ?? process.env.E2E_PORT ?? 8792);
const BASE = `http://127.0.0.1:${PORT}`;
/** Events per push: the protocol's maximum batch. */
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

function task(clientId: string, clientSeq: number, title: string) {
	return {
		name: 'task.created' as const,
		args: { id: `${clientId}-${clientSeq}`, title, status: 'todo' as const, order: clientSeq, assignee: null },
		clientId,
		clientSeq,
		at: Date.now()
	};
}

async function main() {
	const server = await startLocalServer(PORT);
	try {
		const cookie = await signUp(BASE, `bench${Date.now().toString(36)}`);
		const workspaceId = await createWorkspace(cookie);
		const only = process.env.BENCH_ONLY?.split(',');
		const runs = (section: 'catchup' | 'latency' | 'docs') => !only || only.includes(section);

		if (runs('catchup')) await catchUpSection(server, PORT + 1);
		if (runs('latency')) await latencySection(cookie, workspaceId);
		if (runs('docs')) {
			await docs.docSection({ base: BASE, port: PORT, ownerCookie: cookie, workspaceId, socketUrl, wire });
		}
	} finally {
		server.stop();
	}
}

/** Push-to-other-client latency at 100 events/s: a writer pushing like the engine, a listener timing arrivals. */
async function latencySection(cookie: string, workspaceId: string) {
	const writer = new Client(cookie, workspaceId);
	await writer.open();
	await writer.catchUp();
	const listener = new Client(cookie, workspaceId);
	await listener.open();
	await listener.catchUp();
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

	const sorted = [...latencies].sort((a, b) => a - b);
	const fmt = (n: number) => n.toFixed(1);
	const rows: [string, string][] = [
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
	console.log(`\nWorkspace push latency (wrangler dev, loopback, port ${PORT})`);
	console.log(`${'metric'.padEnd(width)} | value`);
	console.log(`${'-'.repeat(width)}-|-${'-'.repeat(24)}`);
	for (const [k, v] of rows) console.log(`${k.padEnd(width)} | ${v}`);
}

await main();
