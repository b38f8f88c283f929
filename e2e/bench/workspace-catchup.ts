// The catch-up section of bench:workspace (BENCH_ONLY=catchup runs it alone): the browser's own SyncEngine
// (src/lib/workspace/sync-engine.ts, under Node, fed the socket's bytes by engine-wire.ts) was offline
// while 10,000 events were appended, reconnects with a fresh token and pulls them all by the real
// protocol rules. With BENCH_REFERENCE=<git rev> (e.g. main) the same rounds run, interleaved, against
// that commit's build — its worker under its own `wrangler dev` and its own browser modules — so the
// table compares both in one run. Each run is split into where its time went: connecting (token fetch,
// upgrade), the client's time (frame decode + contract validation, then the engine), and the rest, spent
// waiting on the server and the wire; and into the CPU time both sides used (the server's from /proc,
// process-cpu.ts), which a busy machine inflates far less than wall time.
import { pathToFileURL } from 'node:url';
import { registerCheckout } from './app-loader.ts';
import { profiled, summarize } from './cpu-profile.ts';
import { formPost, signUp, startLocalServer, type LocalServer } from './local-server.ts';
import { processGroupCpuMs } from './process-cpu.ts';
import { referenceCheckout } from './workspace-reference.ts';

/** The catch-up size the issue asks for. */
const CATCH_UP_EVENTS = 10_000;
/** Catch-up is measured this many times per checkout (each after a fresh 10,000 events). */
const CATCH_UP_ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));

/** Functions whose inclusive CPU time a profiled round reports (server: WorkspaceSync's pull path). */
const SERVER_FUNCTIONS = ['webSocketMessage', 'pull', 'sendBurst', 'page', 'pageJson', 'encodeServerJson', 'encode'];
const CLIENT_FUNCTIONS = ['receive', 'decodeServer', 'read', 'validate', 'onEvents', 'fold', 'replay', 'notify'];

/* eslint-disable @typescript-eslint/no-explicit-any -- two checkouts' modules, loaded by URL */
type Frame = { type: string; seq: number; payload: any };
type Wire = {
	encodeClient(type: string, payload: unknown, seq?: number): Uint8Array;
	decodeServer(data: ArrayBuffer): Frame;
};

/** One checkout's browser modules and codec, loaded from its own directory. */
interface Checkout {
	label: string;
	wire: Wire;
	codec: { decode(frame: ArrayBuffer): { payload: Uint8Array } };
	version: number;
	pushMaxEvents: number;
	SyncEngine: any;
	EngineWire: any;
	MemoryPendingStore: any;
}

async function loadCheckout(label: string, dir: URL): Promise<Checkout> {
	const lib = registerCheckout(dir);
	const load = (path: string) => import(new URL(path, lib).href);
	const [channel, contract, engine, engineWire, store, messages] = await Promise.all([
		load('protocol/channel.ts'),
		load('protocol/workspace-channel.ts'),
		load('workspace/sync-engine.ts'),
		load('workspace/engine-wire.ts'),
		load('workspace/pending-store.ts'),
		load('protocol/workspace-messages.ts')
	]);
	const { loadNodeCodec } = await import(new URL('wasm/node/load-codec-node.ts', dir).href);
	const { codec } = loadNodeCodec();
	return {
		label,
		wire: new channel.ChannelWire(contract.workspaceChannel, codec),
		codec,
		version: contract.workspaceChannel.version,
		pushMaxEvents: messages.PUSH_MAX_EVENTS,
		SyncEngine: engine.SyncEngine,
		EngineWire: engineWire.EngineWire,
		MemoryPendingStore: store.MemoryPendingStore
	};
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A checkout served on a port, with an account and a workspace of its own. */
interface Target {
	checkout: Checkout;
	base: string;
	/** wrangler dev's inspector for the worker (serve.mjs: the port + 10000). */
	inspectorPort: number;
	/** The server's process group, whose CPU time is the server side's work. */
	serverGroup: number;
	cookie: string;
	workspaceId: string;
}

async function createWorkspace(base: string, cookie: string): Promise<string> {
	const response = await formPost(base, '/workspace?/create', { name: 'bench' }, cookie);
	const id = /\/workspace\/([0-9a-f-]+)$/.exec(response.headers.get('location') ?? '')?.[1];
	if (!id) throw new Error(`create failed: ${response.status}`);
	return id;
}

async function socketUrl(target: Target): Promise<string> {
	const response = await fetch(`${target.base}/api/workspace/token`, { headers: { cookie: target.cookie } });
	const { token } = (await response.json()) as { token: string };
	const ws = target.base.replace(/^http/, 'ws');
	return `${ws}/workspace/${target.workspaceId}/ws?token=${token}&v=${target.checkout.version}`;
}

function opened(ws: WebSocket): Promise<unknown> {
	ws.binaryType = 'arraybuffer';
	return new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true });
		ws.addEventListener('error', reject, { once: true });
	});
}

/** The writer: pushes the log's events, one batch at a time, each acknowledged by its live echo. */
class Writer {
	private ws!: WebSocket;
	private cursor = 0;
	private waiter: ((frame: Frame) => void) | null = null;
	private readonly target: Target;
	private nextClientSeq = 1;

	constructor(target: Target) {
		this.target = target;
	}

	async open(): Promise<void> {
		this.ws = new WebSocket(await socketUrl(this.target));
		this.ws.addEventListener('message', (event) => {
			const frame = this.target.checkout.wire.decodeServer(event.data as ArrayBuffer);
			if (frame.type === 'events' && frame.payload.events.length) {
				this.cursor = Math.max(this.cursor, frame.payload.events.at(-1).seq);
			}
			this.waiter?.(frame);
		});
		await opened(this.ws);
		// Only this writer writes, and it writes only once it is live: pull the (short) log until live.
		let lastBurstId: string | undefined;
		for (;;) {
			const answered = this.next((f) => f.type === 'events' && f.payload.burstId !== undefined);
			this.ws.send(
				this.target.checkout.wire.encodeClient('pull', { cursor: this.cursor, backendId: null, lastBurstId })
			);
			const page = (await answered).payload;
			if (!page.more) return;
			lastBurstId = page.burstId;
		}
	}

	private next(test: (f: Frame) => boolean): Promise<Frame> {
		return new Promise((resolve) => {
			this.waiter = (frame) => {
				if (!test(frame)) return;
				this.waiter = null;
				resolve(frame);
			};
		});
	}

	/** Appends `count` task.created events, in the protocol's largest batches. */
	async append(count: number): Promise<number> {
		const batch = this.target.checkout.pushMaxEvents;
		for (let done = 0; done < count; done += batch) {
			const events = Array.from({ length: Math.min(batch, count - done) }, () => {
				const clientSeq = this.nextClientSeq++;
				return {
					name: 'task.created' as const,
					args: {
						id: `bench-writer-${clientSeq}`,
						title: `Preloaded task number ${clientSeq} with a realistic title`,
						status: 'todo' as const,
						order: clientSeq,
						assignee: null
					},
					clientId: 'bench-writer',
					clientSeq,
					at: Date.now()
				};
			});
			const echoed = this.next((f) => f.type === 'events' && f.payload.live);
			this.ws.send(this.target.checkout.wire.encodeClient('push', { parent: this.cursor, events }));
			await echoed;
		}
		return this.cursor;
	}

	close() {
		this.ws.close(1000);
	}
}

/** What one timed catch-up cost, in ms unless named otherwise. */
interface Run {
	total: number;
	/** Token fetch and WebSocket upgrade, until the socket is open (the engine pulls at once). */
	connect: number;
	/** In the client's message handler: codec decode, JSON and the contract's validation… */
	decode: number;
	/** …and the SyncEngine itself (dedupe, fold into the board, notify). */
	engine: number;
	/** Everything else: the client idle, waiting on the server's pages and the wire. */
	waiting: number;
	/** CPU time used meanwhile by the server (workerd and wrangler) and by this client process. */
	serverCpu: number;
	clientCpu: number;
	/** From each pull sent to the first frame answering it. */
	pullToFirstPage: number[];
	pulls: number;
	frames: number;
	bytes: number;
	jsonBytes: number;
}

/** The browser's SyncEngine on a Node WebSocket, timing its handler and counting what crosses the wire. */
class Reader {
	readonly engine;
	private readonly engineWire;
	private ws: WebSocket | null = null;
	private readonly target: Target;
	private run: Run | null = null;
	private pullSentAt = new Map<number, number>();
	private received: ArrayBuffer[] = [];

	constructor(target: Target) {
		this.target = target;
		const { SyncEngine, EngineWire, MemoryPendingStore } = target.checkout;
		this.engine = new SyncEngine(target.workspaceId, new MemoryPendingStore());
		this.engineWire = new EngineWire(this.engine, target.checkout.wire);
		// The engine's own share of the handler's time (the rest is decoding and validating the frame).
		const receive = this.engine.receive.bind(this.engine);
		this.engine.receive = (message: Frame) => {
			const started = performance.now();
			receive(message);
			if (this.run) this.run.engine += performance.now() - started;
		};
	}

	/** Connects (a fresh token, like the page) and resolves once the engine is live and holds `head`. */
	async catchUp(head: number): Promise<Run> {
		const run: Run = {
			total: 0,
			connect: 0,
			decode: 0,
			engine: 0,
			waiting: 0,
			serverCpu: 0,
			clientCpu: 0,
			pullToFirstPage: [],
			pulls: 0,
			frames: 0,
			bytes: 0,
			jsonBytes: 0
		};
		this.run = run;
		this.received = [];
		this.pullSentAt.clear();
		const caughtUp = this.caughtUp(head);
		const serverCpuBefore = processGroupCpuMs(this.target.serverGroup) ?? NaN;
		const clientCpuBefore = process.cpuUsage();
		const started = performance.now();
		const ws = new WebSocket(await socketUrl(this.target));
		this.ws = ws;
		ws.addEventListener('message', (event) => {
			const arrived = performance.now();
			const data = event.data as ArrayBuffer;
			const engineBefore = run.engine;
			const message = this.engineWire.receive(data);
			run.decode += performance.now() - arrived - (run.engine - engineBefore);
			run.bytes += data.byteLength;
			this.received.push(data);
			if (message.type !== 'events') return;
			run.frames++;
			const sent = this.pullSentAt.get(message.seq);
			if (sent !== undefined) {
				run.pullToFirstPage.push(arrived - sent);
				this.pullSentAt.delete(message.seq);
			}
		});
		await opened(ws);
		run.connect = performance.now() - started;
		this.engineWire.connected(
			(frame: Uint8Array) => ws.send(frame),
			(message: Frame) => {
				if (message.type !== 'pull') return;
				run.pulls++;
				this.pullSentAt.set(message.seq, performance.now());
			}
		);
		await caughtUp;
		run.total = performance.now() - started;
		const clientCpu = process.cpuUsage(clientCpuBefore);
		run.clientCpu = (clientCpu.user + clientCpu.system) / 1000;
		run.serverCpu = (processGroupCpuMs(this.target.serverGroup) ?? NaN) - serverCpuBefore;
		run.waiting = run.total - run.connect - run.decode - run.engine;
		this.run = null;
		// The JSON inside the frames, before LZ4: decoded again, after the clock stopped.
		run.jsonBytes = this.received.reduce(
			(sum, frame) => sum + this.target.checkout.codec.decode(frame).payload.byteLength,
			0
		);
		return run;
	}

	private caughtUp(head: number): Promise<void> {
		return new Promise((resolve) => {
			const stop = this.engine.subscribe((view: { status: string; cursor: number }) => {
				if (view.status !== 'synced' || view.cursor < head) return;
				queueMicrotask(() => stop());
				resolve();
			});
		});
	}

	disconnect() {
		this.ws?.close(1000);
		this.ws = null;
		this.engine.disconnected();
	}

	dispose() {
		this.disconnect();
		this.engine.dispose();
	}
}

/** One checkout's rounds: a writer, a reader kept between rounds (its board grows by 10,000 tasks each). */
class Subject {
	readonly runs: Run[] = [];
	readonly target: Target;
	readonly writer: Writer;
	readonly reader: Reader;

	// Plain fields, not parameter properties: Node's type stripping runs this file.
	constructor(target: Target) {
		this.target = target;
		this.writer = new Writer(target);
		this.reader = new Reader(target);
	}

	async start() {
		await this.writer.open();
		await this.reader.engine.init();
		await this.reader.catchUp(0);
	}

	async round(): Promise<Run> {
		this.reader.disconnect(); // offline while the writer appends
		const head = await this.writer.append(CATCH_UP_EVENTS);
		const from = this.reader.engine.view().cursor;
		(globalThis as { gc?: () => void }).gc?.(); // no collection of the last round's garbage inside this one
		const run = await this.reader.catchUp(head);
		const got = this.reader.engine.view().cursor - from;
		if (got !== CATCH_UP_EVENTS) throw new Error(`${this.target.checkout.label}: caught up ${got} events`);
		return run;
	}

	/** One more round under both CPU profilers (BENCH_PROFILE=1), not counted: where the CPU went. */
	async profile() {
		const { server, client } = await profiled(this.target.inspectorPort, () => this.round());
		const print = (side: string, summary: ReturnType<typeof summarize>) => {
			console.log(`\n${this.target.checkout.label}, ${side} CPU in one profiled catch-up (ms):`);
			console.log(`  inclusive: ${[...summary.under].map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
			for (const [k, v] of summary.top) console.log(`  ${fmt(v).padStart(7)}  ${k}`);
		};
		print('server', summarize(server, SERVER_FUNCTIONS));
		print('client', summarize(client, CLIENT_FUNCTIONS));
	}

	stop() {
		this.writer.close();
		this.reader.dispose();
	}
}

async function target(checkout: Checkout, server: LocalServer): Promise<Target> {
	const { base, processGroup: serverGroup } = server;
	const cookie = await signUp(base, `bench${Date.now().toString(36)}`);
	const inspectorPort = Number(new URL(base).port) + 10_000;
	return { checkout, base, inspectorPort, serverGroup, cookie, workspaceId: await createWorkspace(base, cookie) };
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)];
const fmt = (n: number) => n.toFixed(1);

function printTable(subjects: Subject[]) {
	const columns = subjects.map((s) => s.target.checkout.label);
	const cell = (pick: (runs: Run[]) => string) => subjects.map((s) => pick(s.runs));
	const med = (f: (r: Run) => number) => cell((runs) => fmt(median(runs.map(f))));
	const rows: [string, string[]][] = [
		['events per reconnect', cell(() => CATCH_UP_EVENTS.toLocaleString('en'))],
		['runs (ms)', cell((runs) => runs.map((r) => fmt(r.total)).join(' / '))],
		['median (ms, reconnect incl. token + upgrade)', med((r) => r.total)],
		[
			'min / max (ms)',
			cell((runs) => `${fmt(sorted(runs.map((r) => r.total))[0])} / ${fmt(sorted(runs.map((r) => r.total)).at(-1)!)}`)
		],
		['  connect: token + upgrade (ms, median)', med((r) => r.connect)],
		['  client: frame decode + validation (ms)', med((r) => r.decode)],
		['  client: engine, fold into the board (ms)', med((r) => r.engine)],
		['  waiting on server + wire (ms)', med((r) => r.waiting)],
		['CPU: server, workerd + wrangler (ms, median)', med((r) => r.serverCpu)],
		['CPU: client process (ms, median)', med((r) => r.clientCpu)],
		[
			'pull → its first page (ms, median run)',
			cell((runs) =>
				runs
					.find((r) => r.total === median(runs.map((x) => x.total)))!
					.pullToFirstPage.map(fmt)
					.join(' / ')
			)
		],
		['pulls per run', cell((runs) => String(runs[0].pulls))],
		['event frames per run', cell((runs) => String(runs[0].frames))],
		['bytes on the wire per run (MB, codec frames)', cell((runs) => (runs[0].bytes / 1e6).toFixed(2))],
		['JSON inside those frames (MB, before LZ4)', cell((runs) => (runs[0].jsonBytes / 1e6).toFixed(2))]
	];
	if (subjects.length === 2) {
		const [ref, now] = subjects.map((s) => median(s.runs.map((r) => r.total)));
		rows.push([`median ratio (${columns[0]} ÷ ${columns[1]})`, ['', `${(ref / now).toFixed(2)}×`]]);
	}
	const width = Math.max(...rows.map(([k]) => k.length));
	const widths = columns.map((c, i) => Math.max(c.length, ...rows.map(([, v]) => v[i].length)));
	const line = (k: string, v: string[]) => `${k.padEnd(width)} | ${v.map((x, i) => x.padStart(widths[i])).join(' | ')}`;
	console.log(`\nWorkspace catch-up (wrangler dev, loopback, ${CATCH_UP_ROUNDS} rounds each, interleaved)`);
	console.log(line('catch-up', columns));
	console.log(`${'-'.repeat(width)}-|-${widths.map((w) => '-'.repeat(w)).join('-|-')}`);
	for (const [k, v] of rows) console.log(line(k, v));
}

/**
 * Runs the section against this checkout's `server` and, with BENCH_REFERENCE set, against the
 * reference commit's build served on `referencePort`.
 */
export async function catchUpSection(server: LocalServer, referencePort: number): Promise<void> {
	const here = await loadCheckout('this branch', new URL('../../', import.meta.url));
	const subjects = [new Subject(await target(here, server))];
	let referenceServer: LocalServer | null = null;
	try {
		const rev = process.env.BENCH_REFERENCE;
		if (rev) {
			const { dir, commit } = referenceCheckout(rev);
			const reference = await loadCheckout(`${rev} (${commit.slice(0, 8)})`, pathToFileURL(`${dir}/`));
			referenceServer = await startLocalServer(referencePort, [], dir);
			subjects.unshift(new Subject(await target(reference, referenceServer)));
		}
		for (const subject of subjects) await subject.start();
		for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
			for (const subject of subjects) {
				const run = await subject.round();
				subject.runs.push(run);
				console.log(`catch-up round ${round + 1}, ${subject.target.checkout.label}: ${fmt(run.total)} ms`);
			}
		}
		printTable(subjects);
		if (process.env.BENCH_PROFILE) {
			for (const subject of subjects) await subject.profile().catch((e) => console.log(`no profile: ${e}`));
		}
		for (const subject of subjects) subject.stop();
	} finally {
		referenceServer?.stop();
	}
}
