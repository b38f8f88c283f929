// npm run bench:chat — what chat members feel, for the ChatRoom Durable Object (SQLite storage, sequence
// numbers, rate budget, search outbox) against a bare broadcast object (RelayRoom: no storage, no rules),
// under the same load in the same run, on the local runtime (the built worker under wrangler dev,
// loopback). Sections (BENCH_SECTIONS, comma-separated, default all):
// - ladder: fixed-rate (open-loop) cells, N sockets in one room × offered msg/s (chat-ladder.ts);
// - saturation: closed loop, the most each object delivers (chat-saturation.ts);
// - joins: 1,000 sockets joining a room of 10,000 messages, join time and worker CPU per join (chat-joins.ts);
// - bytes: TCP bytes per chat message for both objects (chat-bytes.ts).
// Each with permessage-deflate offered by the client (what browsers do) and not (BENCH_DEFLATE=on,off).
// The client's sockets are `ws` on BENCH_CLIENT_THREADS worker threads plus the senders on the main
// thread; its own CPU is printed with every cell and a cell it may have slowed is marked CLIENT-BOUND.
//
// BENCH_SERVER=selfhost runs it on bare workerd (the self-host shape, after `npm run selfhost:bundle`):
// one process and no dev layers in front, so permessage-deflate is whatever our worker negotiates.
//
// Env: BENCH_N (50,200,1000), BENCH_RATES (per N, e.g. "50:5/20/50;1000:5/10"), BENCH_SENDERS (10),
//      BENCH_CELL_MS (1500), BENCH_CELL_MESSAGES (40), BENCH_GRACE_MS (1000), BENCH_JOINS (1000),
//      BENCH_JOIN_ROUNDS (3), BENCH_HISTORY (10000), BENCH_CLIENT_THREADS (2), BENCH_PORT (8790),
//      BENCH_TIMEOUT_S (900: the whole run, never a hang), BENCH_SERVER (wrangler | selfhost),
//      BENCH_PROFILE_JOINS (see below), BENCH_CELL_SLICES (4), BENCH_SATURATION_ROUNDS (3).
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { Audience } from './chat-audience.ts';
import { builtInExtensions, wireBytes, type WireBytes } from './chat-bytes.ts';
import { fillRoom, measureJoins, type Joins } from './chat-joins.ts';
import { profiled, summarize } from './cpu-profile.ts';
import { inTurn, pairedLadder, type Cell } from './chat-ladder.ts';
import { ListenerPool } from './chat-listeners.ts';
import { bytesTable, joinsTable, ladderTables, saturationTable, targets, type LadderResults } from './chat-report.ts';
import { closedLoop, type Saturation } from './chat-saturation.ts';
import { chatRoom, listenerCookies, makeAccounts } from './chat-setup.ts';
import { wires, type Kind } from './chat-wire.ts';
import { startLocalServer, startSelfhostServer } from './local-server.ts';
import { findWorkerd, settle } from './workerd-cpu.ts';

const SECTION_NAMES = ['ladder', 'saturation', 'joins', 'bytes'] as const;
type Section = (typeof SECTION_NAMES)[number];

const list = (name: string, fallback: string) =>
	(process.env[name] ?? fallback)
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
const int = (name: string, fallback: number) => {
	const value = Number(process.env[name] ?? fallback);
	if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
	return value;
};

const SECTIONS = new Set(list('BENCH_SECTIONS', SECTION_NAMES.join(',')) as Section[]);
for (const s of SECTIONS) if (!SECTION_NAMES.includes(s)) throw new Error(`BENCH_SECTIONS: unknown section ${s}`);
const NS = list('BENCH_N', '50,200,1000').map(Number);
const MODES = list('BENCH_DEFLATE', 'on,off').map((m) => {
	if (m !== 'on' && m !== 'off') throw new Error('BENCH_DEFLATE is on, off or on,off');
	return m === 'on';
});
const SENDERS = int('BENCH_SENDERS', 10);
const CELL_MS = int('BENCH_CELL_MS', 1500);
/**
 * Messages a ladder cell sends at least, however low its rate: the listeners of one message share its
 * server-side delay, so a cell's p99 is about its slowest message, and 10 messages made p99 the max of 10.
 */
const CELL_MESSAGES = int('BENCH_CELL_MESSAGES', 40);
/** Slices per ladder cell, ChatRoom's and RelayRoom's taking turns (chat-ladder.ts pairedLadder). */
const CELL_SLICES = int('BENCH_CELL_SLICES', 4);
/** Closed-loop runs per object and N, alternating; the table shows each object's median run. */
const SATURATION_ROUNDS = int('BENCH_SATURATION_ROUNDS', 3);
const GRACE_MS = int('BENCH_GRACE_MS', 1000);
const JOINS = int('BENCH_JOINS', 1000);
const HISTORY = int('BENCH_HISTORY', 10_000);
const THREADS = int('BENCH_CLIENT_THREADS', 2);
const PORT = int('BENCH_PORT', 8790);
const TIMEOUT_S = int('BENCH_TIMEOUT_S', 900);
const SERVER = process.env.BENCH_SERVER ?? 'wrangler';
if (SERVER !== 'wrangler' && SERVER !== 'selfhost') throw new Error('BENCH_SERVER is wrangler or selfhost');
for (const n of NS) if (!Number.isInteger(n) || n <= SENDERS) throw new Error(`BENCH_N: each N must exceed ${SENDERS}`);

/**
 * Offered rates per N, light load to one step past saturation (an object's ladder stops at its first
 * saturated cell, so the top rates cost nothing once both fell behind). Chosen from runs on the 2-core
 * machine (2026-12-01): without deflate the rooms kept up with 200–500 msg/s at N = 50, 100–200 at
 * N = 200 and 10–20 at N = 1000 (10,000–40,000 deliveries/s in all); with deflate, and on a quieter
 * machine, the limit moves by about one step either way, which the extra rungs cover.
 */
const DEFAULT_RATES: Record<number, number[]> = {
	50: [5, 20, 50, 200, 500, 1000],
	200: [5, 20, 50, 100, 200, 400],
	1000: [5, 10, 20, 50, 100]
};
function ratesFor(n: number): number[] {
	const spec = process.env.BENCH_RATES;
	if (spec) {
		for (const part of spec.split(';')) {
			const [key, values] = part.split(':');
			if (Number(key) === n && values) return values.split('/').map(Number);
		}
	}
	return DEFAULT_RATES[n] ?? [5, 20, 50, 200];
}

/** Closed loop: senders × window in flight, and about this many deliveries per run. */
const SATURATION = { window: 4, deliveries: 20_000, minPerSender: 5, maxPerSender: 100, timeoutMs: 90_000 };
/** Rounds of joins per object, alternating; the table shows each object's median round. */
const JOIN_ROUNDS = int('BENCH_JOIN_ROUNDS', 3);
if (JOIN_ROUNDS < 1) throw new Error('BENCH_JOIN_ROUNDS: at least 1');
/**
 * BENCH_PROFILE_JOINS=1 (or a comma list of function names, whose inclusive time is printed too): after
 * the timed rounds, one more chat round under the worker's CPU profiler, and where its time went. The
 * first chat round is the only cold one (the room learns each listener's membership, from D1, once).
 */
const PROFILE_JOINS = process.env.BENCH_PROFILE_JOINS ?? '';
// The worker's inspector is the one wrangler dev opens (e2e/support/serve.mjs); bare workerd has none.
if (PROFILE_JOINS && SERVER === 'selfhost')
	throw new Error('BENCH_PROFILE_JOINS needs wrangler dev, not BENCH_SERVER=selfhost');
/** Joins in flight at once in the joins section (the room serialises them; this keeps it busy). */
const JOIN_CONCURRENCY = 10;
/** The per-user send budget is policy, not pipeline cost: raised so both objects see the same load. */
const BENCH_RATE_LIMIT = '100000000/1000';

const WS_VERSION = (createRequire(import.meta.url)('ws/package.json') as { version: string }).version;
const began = Date.now();
const progress = (line: string) => console.error(`bench:chat [${((Date.now() - began) / 1000).toFixed(0)} s] ${line}`);
const mode = (deflate: boolean) => (deflate ? 'on' : 'off');

async function main() {
	const server =
		SERVER === 'selfhost'
			? await startSelfhostServer(PORT, { CHAT_RATE_LIMIT: BENCH_RATE_LIMIT })
			: await startLocalServer(PORT, ['--var', `CHAT_RATE_LIMIT:${BENCH_RATE_LIMIT}`]);
	const watchdog = setTimeout(() => {
		console.error(`bench:chat: still running after BENCH_TIMEOUT_S=${TIMEOUT_S} s; stopping`);
		void Promise.resolve(server.stop()).finally(() => process.exit(1));
	}, TIMEOUT_S * 1000);
	watchdog.unref();
	// One pool per object: both rooms' audiences are open at once during the ladder.
	const pools: Record<Kind, ListenerPool> = { chat: ListenerPool.start(THREADS), relay: ListenerPool.start(THREADS) };
	const pool = pools.chat; // the joins section's
	const started = Date.now();
	try {
		const processes = findWorkerd(server, PORT);
		const base = server.base;
		const ws = base.replace('http', 'ws');
		const wantsLoad = SECTIONS.has('ladder') || SECTIONS.has('saturation');
		const listeners = Math.max(SECTIONS.has('joins') ? JOINS : 0, wantsLoad ? Math.max(...NS) - SENDERS : 1);
		progress(`signing up ${SENDERS} senders and listeners for ${listeners} sockets`);
		const accounts = await makeAccounts(base, SENDERS, listeners);
		const run = Date.now().toString(36);

		const where = SERVER === 'selfhost' ? 'bare workerd (self-host shape, no dev proxy)' : 'wrangler dev';
		console.log(
			`\nbench:chat — ${where} on :${PORT} (loopback), ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; ` +
				`client: ${THREADS} listener threads + senders on the main thread (ws ${WS_VERSION}); workerd runtime pid ${processes.runtime}` +
				(processes.proxy === null ? '' : `, proxy pid ${processes.proxy}`)
		);
		console.log(
			processes.proxy === null
				? 'Worker CPU is the workerd process (it runs the worker, its Durable Objects, D1 and the queue stand-ins).'
				: `Worker CPU is the runtime workerd's (it runs the worker, its Durable Objects, D1 and the queue); the other workerd is wrangler's dev proxy, which listens on :${PORT} and forwards every socket, so it is shown apart. ` +
						'Under wrangler dev, permessage-deflate is negotiated with the client by the dev layers (wrangler’s proxy, miniflare’s entry worker), whatever our worker sets (wasm/README.md "Compression layers"); BENCH_SERVER=selfhost measures our worker alone.'
		);

		const ladders = new Map<boolean, LadderResults>();
		const saturations = new Map<boolean, Record<Kind, Map<number, Saturation>>>();
		const negotiated = new Map<boolean, string>();
		if (wantsLoad) {
			const room = await chatRoom(base, 'bench ladder', accounts);
			let turn = 0;
			for (const n of NS) {
				for (const deflate of MODES) {
					const kinds = inTurn<Kind>(['chat', 'relay'], turn++);
					// Both rooms open at once (an idle room costs nothing), so their cells can take turns.
					const open = new Map<Kind, Audience>();
					try {
						for (const kind of kinds) {
							const audience = await Audience.open(pools[kind], {
								kind,
								base,
								room: kind === 'chat' ? room : `bench-${run}-${n}-${mode(deflate)}`,
								deflate,
								size: n,
								senderCookies: accounts.senders,
								listenerCookies: listenerCookies(accounts, n - SENDERS)
							});
							open.set(kind, audience);
							negotiated.set(deflate, audience.extensions);
						}
						// Warm-up (JIT, SQLite pages, zlib contexts), then saturation (which ends with everything
						// delivered), then the ladder (which may end behind: a room that fell behind closes at once).
						const loop = { window: SATURATION.window, timeoutMs: SATURATION.timeoutMs, processes };
						for (const kind of kinds) await closedLoop(open.get(kind)!, { ...loop, perSender: 2 });
						if (SECTIONS.has('saturation')) {
							const perSender = Math.min(
								SATURATION.maxPerSender,
								Math.max(SATURATION.minPerSender, Math.ceil(SATURATION.deliveries / (n * SENDERS)))
							);
							const rounds = new Map<Kind, Saturation[]>(kinds.map((kind) => [kind, []]));
							for (let round = 0; round < SATURATION_ROUNDS; round++) {
								for (const kind of inTurn(kinds, round)) {
									const result = await closedLoop(open.get(kind)!, { ...loop, perSender });
									rounds.get(kind)!.push(result);
									progress(
										`saturation N=${n} deflate ${mode(deflate)} ${kind} round ${round + 1}: ${result.deliveredPerSecond.toFixed(0)} deliveries/s${result.complete ? '' : ' (incomplete)'}`
									);
								}
							}
							const results = saturations.get(deflate) ?? { chat: new Map(), relay: new Map() };
							for (const [kind, runs] of rounds) results[kind].set(n, medianSaturation(runs));
							saturations.set(deflate, results);
						}
						if (SECTIONS.has('ladder')) {
							const cells = await pairedLadder(
								kinds.map((kind) => [kind, open.get(kind)!] as [Kind, Audience]),
								ratesFor(n),
								{ cellMs: CELL_MS, graceMs: GRACE_MS, minMessages: CELL_MESSAGES, slices: CELL_SLICES, processes },
								async (kind) => {
									// The room still has frames queued for these sockets: drop them, let the runtime drain.
									await open.get(kind)!.close(true);
									open.delete(kind);
									await settle(processes);
								}
							);
							const results = ladders.get(deflate) ?? { chat: new Map(), relay: new Map() };
							for (const [kind, list] of cells) {
								results[kind].set(n, list);
								progress(`ladder N=${n} deflate ${mode(deflate)} ${kind}: ${list.map(describe).join(', ')}`);
							}
							ladders.set(deflate, results);
						}
					} finally {
						for (const audience of open.values()) await audience.close();
					}
				}
			}
		}

		const joins: Joins[] = [];
		if (SECTIONS.has('joins')) {
			const room = await chatRoom(base, 'bench joins', accounts);
			const chatUrl = `${ws}${wires.chat.socketPath(room)}`;
			progress(`filling a room with ${HISTORY} messages`);
			await fillRoom(chatUrl, accounts.senders[0]!, base, HISTORY);
			const cookies = listenerCookies(accounts, JOINS);
			for (const deflate of MODES) {
				// Rounds alternate the objects, and each row is the median round of its object: a join's CPU
				// moved by a third between runs on this shared machine, so one round is weak evidence.
				const rounds = new Map<Kind, Joins[]>([
					['chat', []],
					['relay', []]
				]);
				const joinsInto = (kind: Kind) => ({
					kind,
					url: kind === 'chat' ? chatUrl : `${ws}${wires.relay.socketPath(`bench-${run}-joins-${mode(deflate)}`)}`,
					origin: base,
					cookies,
					deflate,
					concurrency: JOIN_CONCURRENCY,
					history: kind === 'chat' ? HISTORY : 0,
					processes
				});
				for (let round = 1; round <= JOIN_ROUNDS; round++) {
					for (const kind of ['chat', 'relay'] as Kind[]) {
						const result = await measureJoins(pool, joinsInto(kind));
						rounds.get(kind)!.push(result);
						progress(
							`joins ${kind} deflate ${mode(deflate)} round ${round}: ${result.runtimeMsPerJoin.toFixed(2)} ms worker CPU per join`
						);
					}
				}
				for (const results of rounds.values()) joins.push(medianRound(results));
				if (PROFILE_JOINS) await profileJoins(() => measureJoins(pool, joinsInto('chat')));
			}
		}

		const bytes: WireBytes[] = [];
		let builtIn = '';
		if (SECTIONS.has('bytes')) {
			const room = await chatRoom(base, 'bench bytes', {
				senders: accounts.senders.slice(0, 1),
				listeners: accounts.listeners.slice(0, 1)
			});
			for (const kind of ['chat', 'relay'] as Kind[]) {
				for (const deflate of MODES) {
					const path =
						kind === 'chat'
							? wires.chat.socketPath(room)
							: wires.relay.socketPath(`bench-${run}-bytes-${mode(deflate)}`);
					bytes.push(
						await wireBytes({
							kind,
							url: `${ws}${path}`,
							origin: base,
							senderCookie: accounts.senders[0]!,
							listenerCookie: accounts.listeners[0]!,
							deflate
						})
					);
				}
			}
			builtIn = await builtInExtensions(
				`${ws}${wires.relay.socketPath(`bench-${run}-builtin`)}`,
				accounts.senders[0]!,
				base
			);
		}

		for (const deflate of MODES) {
			const results = ladders.get(deflate);
			if (!results) continue;
			console.log(
				`\n### Fixed-rate ladder, permessage-deflate ${mode(deflate)} (client ${deflate ? 'offers' : 'does not offer'} it; negotiated: ${negotiated.get(deflate)})\n`
			);
			console.log(
				`${SENDERS} senders round-robin, each cell ${CELL_MS} ms of sending (at least ${CELL_MESSAGES} messages) in ${CELL_SLICES} slices, chat's and relay's taking turns, each slice + up to ${GRACE_MS} ms grace; N counts every socket, senders included.\n`
			);
			console.log(ladderTables(results, processes.proxy !== null));
		}
		for (const deflate of MODES) {
			const results = saturations.get(deflate);
			if (!results) continue;
			console.log(
				`\n### Closed-loop saturation, permessage-deflate ${mode(deflate)} (${SENDERS} senders × window ${SATURATION.window}, ~${SATURATION.deliveries.toLocaleString('en')} deliveries per run; ${SATURATION_ROUNDS} runs per object, alternating, the median run shown)\n`
			);
			console.log(saturationTable(results));
		}
		if (joins.length > 0) {
			console.log(
				`\n### Joins: ${JOINS} sockets join one after another (${JOIN_CONCURRENCY} at a time) and stay; join = upgrade → history page (relay: welcome); ${JOIN_ROUNDS} rounds per object, alternating, the median round shown\n`
			);
			console.log(joinsTable(joins, processes.proxy !== null));
		}
		if (bytes.length > 0) {
			console.log(
				`\n### Bytes on the wire per message (${bytes[0]!.messages} chat lines of 12 words, one at a time; TCP payload)\n`
			);
			console.log(bytesTable(bytes));
			console.log(
				`\nNode's built-in WebSocket (${process.version}) offers permessage-deflate and negotiated: ${builtIn}`
			);
		}
		for (const deflate of MODES) {
			const summary = targets(ladders.get(deflate), saturations.get(deflate));
			if (summary) console.log(`\n### Issue 19 item 2, permessage-deflate ${mode(deflate)}\n\n${summary}`);
		}
		console.log(`\nbench:chat took ${((Date.now() - started) / 1000).toFixed(0)} s (after the server started).`);
	} finally {
		clearTimeout(watchdog);
		await Promise.all([pools.chat.terminate(), pools.relay.terminate()]);
		await server.stop();
	}
}

/** The item of median `key` (runs or rounds of one object). */
function medianBy<T>(items: T[], key: (item: T) => number): T {
	return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)]!;
}

/** The run of median deliveries per second, with every run's figure beside it. */
function medianSaturation(runs: Saturation[]): Saturation {
	const figure = (r: Saturation) => r.deliveredPerSecond;
	return { ...medianBy(runs, figure), roundsPerSecond: runs.map(figure) };
}

/** The round of median worker CPU per join, with every round's figure beside it. */
function medianRound(results: Joins[]): Joins {
	const figure = (r: Joins) => r.runtimeMsPerJoin;
	return { ...medianBy(results, figure), roundsMsPerJoin: results.map(figure) };
}

async function profileJoins(round: () => Promise<Joins>) {
	const named = PROFILE_JOINS.split(',').filter((name) => name !== '1' && name !== '');
	const { server: profile } = await profiled(PORT + 10000, round);
	const { top, under } = summarize(profile, named, 40);
	console.log(
		`\nWorker CPU profile of one more chat join round (self time, then inclusive time of the named functions):`
	);
	for (const [name, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name}`);
	for (const [name, ms] of under) console.log(`  ${ms.toFixed(1).padStart(8)} ms  under ${name}`);
}

function describe(cell: Cell): string {
	const lat = cell.measured.latencies;
	const p50 = lat[Math.floor(lat.length / 2)] ?? NaN;
	return `${cell.rate}/s ${cell.saturated ? `sat. (${((lat.length / cell.measured.expected) * 100).toFixed(0)}%)` : `p50 ${p50.toFixed(1)}`}`;
}

await main();
