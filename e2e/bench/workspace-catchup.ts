// The catch-up section of bench:workspace (BENCH_ONLY=catchup runs it alone): the browser's own SyncEngine
// (src/lib/workspace/sync-engine.ts, under Node, fed the socket's bytes by engine-wire.ts) was offline
// while 10,000 events were appended, reconnects as that checkout's page does (with the token it holds
// while good, src/lib/workspace/workspace-token.ts; a checkout without it fetches one per connect) and
// pulls them all by the real protocol rules. With BENCH_REFERENCE=<git rev> (e.g. main) the same rounds run, interleaved, against
// that commit's build — its worker under its own `wrangler dev` and its own browser modules — so the
// table compares both in one run. Each run is split into where its time went: connecting (any token
// fetch, upgrade), the client's time (frame decode + contract validation, then the engine), and the rest, spent
// waiting on the server and the wire; and into the CPU time both sides used (the server's from /proc,
// process-cpu.ts), which a busy machine inflates far less than wall time.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { profiled, summarize } from './cpu-profile.ts';
import { signUp, startLocalServer, type LocalServer } from './local-server.ts';
import { processGroupCpuMs, processGroupQuiet } from './process-cpu.ts';
import { loadCheckout, type Checkout, type Frame } from './workspace-checkout.ts';
import { createWorkspace, opened, socketUrl, tokenRequest, Writer, type Target } from './workspace-writer.ts';
import { replayClient } from './workspace-client-replay.ts';
import { referenceCheckout } from './workspace-reference.ts';

/** The catch-up size the issue asks for. */
const CATCH_UP_EVENTS = 10_000;
/** Catch-up is measured this many times per checkout (each after a fresh 10,000 events). */
const CATCH_UP_ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));

/** Functions whose inclusive CPU time a profiled round reports (server: WorkspaceSync's pull path). */
const SERVER_FUNCTIONS = ['webSocketMessage', 'pull', 'sendBurst', 'page', 'pageJson', 'encodeServerJson', 'encode'];
const CLIENT_FUNCTIONS = ['receive', 'decodeServer', 'read', 'validate', 'onEvents', 'fold', 'replay', 'notify'];

/** What one timed catch-up cost, in ms unless named otherwise. */
interface Run {
	total: number;
	/** Token (when one is fetched) and WebSocket upgrade, until the socket is open (the engine pulls at once). */
	connect: number;
	/** Token requests the connect made: the checkout's client reuses an accepted one while good, or not. */
	tokenFetches: number;
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
	/** The last run's frames, as they arrived, and the log it started from (workspace-client-replay.ts). */
	received: ArrayBuffer[] = [];
	receivedFrom = { backendId: null as string | null, cursor: 0 };
	/** The page's token (workspace-token.ts) when the checkout has one; else a fresh token per connect. */
	private readonly token;
	private tokenFetches = 0;

	constructor(target: Target) {
		this.target = target;
		const { WorkspaceToken } = target.checkout;
		const request = () => (this.tokenFetches++, tokenRequest(target));
		const everyTime = {
			forConnect: async () => ((await (await request()).json()) as { token: string }).token,
			accepted() {}
		};
		this.token = WorkspaceToken ? new WorkspaceToken(request) : everyTime;
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
			tokenFetches: 0,
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
		const { backendId, cursor } = this.engine.view();
		this.receivedFrom = { backendId, cursor };
		this.pullSentAt.clear();
		const caughtUp = this.caughtUp(head);
		const serverCpuBefore = processGroupCpuMs(this.target.serverGroup) ?? NaN;
		const clientCpuBefore = process.cpuUsage();
		const started = performance.now();
		const fetchesBefore = this.tokenFetches;
		const ws = new WebSocket(await socketUrl(this.target, await this.token.forConnect()));
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
		this.token.accepted();
		run.connect = performance.now() - started;
		run.tokenFetches = this.tokenFetches - fetchesBefore;
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

	/** One round; `around` wraps the catch-up alone (the profilers), not the writer's appends before it. */
	async round(around = <T>(catchUp: () => Promise<T>) => catchUp()): Promise<Run> {
		this.reader.disconnect(); // offline while the writer appends
		const head = await this.writer.append(CATCH_UP_EVENTS);
		// The server keeps writing for ~150 ms after the last append's echo (workerd persisting the log, no
		// JS in the object's profile): a reconnect then waited on that, 60–90 ms instead of 15–25. Someone
		// coming back online meets a server that was not just handed 10,000 events, so wait for it to idle.
		if (!(await processGroupQuiet(this.target.serverGroup))) console.log('(the server did not go quiet)');
		const from = this.reader.engine.view().cursor;
		(globalThis as { gc?: () => void }).gc?.(); // no collection of the last round's garbage inside this one
		const run = await around(() => this.reader.catchUp(head));
		const got = this.reader.engine.view().cursor - from;
		if (got !== CATCH_UP_EVENTS) throw new Error(`${this.target.checkout.label}: caught up ${got} events`);
		return run;
	}

	/** One more round's catch-up under both CPU profilers (BENCH_PROFILE=1), not counted: where the CPU went. */
	async profile() {
		let profiles!: Awaited<ReturnType<typeof profiled>>;
		await this.round(async (catchUp) => {
			profiles = await profiled(this.target.inspectorPort, catchUp);
			return profiles.result as Run;
		});
		const { server, client } = profiles;
		const dir = process.env.BENCH_PROFILE_DIR; // the raw profiles, for DevTools or a closer look
		if (dir) {
			const name = this.target.checkout.label.replace(/\W+/g, '-');
			writeFileSync(`${dir}/${name}-server.cpuprofile`, JSON.stringify(server));
			writeFileSync(`${dir}/${name}-client.cpuprofile`, JSON.stringify(client));
		}
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
	const { base, pid: serverGroup } = server; // wrangler's process group leader (LocalServer.pid)
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
		['  token requests per connect (runs)', cell((runs) => runs.map((r) => r.tokenFetches).join(' / '))],
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
		// The client alone, on identical input: the last run's frames replayed through each checkout's engine.
		const { received, receivedFrom } = subjects.at(-1)!.reader;
		await replayClient(
			subjects.map((s) => s.target.checkout),
			received,
			receivedFrom
		);
		if (process.env.BENCH_PROFILE) {
			for (const subject of subjects) await subject.profile().catch((e) => console.log(`no profile: ${e}`));
		}
		for (const subject of subjects) subject.stop();
	} finally {
		referenceServer?.stop();
	}
}
