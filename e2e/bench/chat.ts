// npm run bench:chat — fan-out throughput and latency of the ChatRoom Durable Object (SQLite storage,
// sequence numbers, rate budget) against a bare broadcast object (RelayRoom: no storage, no rules), under the
// same load in the same run, on the local runtime (wrangler dev, loopback). Both speak their channel
// contract: WASM codec frames (CRC-32; LZ4 only from COMPRESS_MIN_BYTES, so these short lines go raw).
//
// Load: N sockets in one room, M of them senders. Each sender keeps WINDOW messages in flight: it sends the
// next one when its own previous one comes back through the room (the same signal for both objects), until
// it has sent PER_SENDER. Every socket, senders included, receives every message.
//
// Env: BENCH_SOCKETS (200), BENCH_SENDERS (10), BENCH_MESSAGES per sender (100), BENCH_WINDOW (4),
//      BENCH_PORT (8790), BENCH_ROUNDS (2: chat/bare pairs, alternating order; the table shows each's best).
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';
import { formPost, percentile, signUp, startLocalServer } from './local-server.ts';

const env = (name: string, fallback: number) => {
	const value = Number(process.env[name] ?? fallback);
	if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
	return value;
};
const SOCKETS = env('BENCH_SOCKETS', 200);
const SENDERS = Math.min(env('BENCH_SENDERS', 10), SOCKETS);
const PER_SENDER = env('BENCH_MESSAGES', 100);
const WINDOW = env('BENCH_WINDOW', 4);
const ROUNDS = env('BENCH_ROUNDS', 2);
const PORT = env('BENCH_PORT', 8790);
const BASE = `http://127.0.0.1:${PORT}`;
const WARMUP_PER_SENDER = 5;
/** A run that has not finished by then failed (lost deliveries): bounded, never a hang. */
const RUN_TIMEOUT_MS = 120_000;
/**
 * The per-user rate limit (10 per 10 s) is policy, not pipeline cost: raised for the benchmark so both
 * objects see the same offered load.
 */
const BENCH_RATE_LIMIT = '100000000/1000';

// The channel contracts' version and type bytes, as in src/lib/protocol/chat.ts (chatChannel version 2:
// client send 1, server message 3, a message as the array [seq, rev, id, author, text, createdAt] of
// chat-wire.ts; pinned by chat.spec.ts) and src/lib/protocol/relay.ts (relayChannel version 1: client say 1,
// server said 2), sent as `?v=` (VERSION_PARAM in channel.ts). Those modules are not imported because
// Node's type stripping cannot resolve their extensionless imports.
const CHAT = { version: 2, send: 1, message: 3 };
const RELAY = { version: 1, say: 1, said: 2 };
/** channel.ts COMPRESS_MIN_BYTES: smaller payloads are framed uncompressed, as ChannelWire does. */
const COMPRESS_MIN_BYTES = 768;

const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();
const text = new TextDecoder();

// ---- accounts ------------------------------------------------------------------------------------

/** A form post that must succeed or redirect (303): the room's id is in the Location of create and join. */
async function roomAction(action: 'create' | 'join', fields: Record<string, string>, cookie: string) {
	const response = await formPost(BASE, `/chat?/${action}`, fields, cookie);
	const location = response.headers.get('location');
	if (response.status !== 303 || !location) throw new Error(`/chat?/${action}: HTTP ${response.status}`);
	return location.split('/').pop()!;
}

// ---- one measured run -------------------------------------------------------------------------------

type Kind = 'chat' | 'bare';

interface Client {
	ws: WebSocket;
	sender: number | null;
}

interface RunResult {
	deliveries: number;
	messages: number;
	seconds: number;
	latencies: number[];
}

/**
 * Sockets per audience account: the realtime base allows 16 per person per object
 * (MAX_SOCKETS_PER_IDENTITY in src/lib/server/realtime/realtime-object.ts), so the audience is spread over
 * enough accounts.
 */
const SOCKETS_PER_ACCOUNT = 16;

/** Opens the N sockets for one object: senders first (one per sender account), the rest as audience. */
async function openSockets(kind: Kind, roomId: string, senderCookies: string[], audienceCookies: string[]) {
	const url =
		kind === 'chat'
			? `ws://127.0.0.1:${PORT}/chat/${roomId}/ws?v=${CHAT.version}`
			: `ws://127.0.0.1:${PORT}/realtime/bench-${roomId}/ws?v=${RELAY.version}`;
	const clients: Client[] = [];
	for (let start = 0; start < SOCKETS; start += 25) {
		const batch = [];
		for (let i = start; i < Math.min(SOCKETS, start + 25); i++) {
			const sender = i < SENDERS ? i : null;
			const cookie =
				sender === null ? audienceCookies[Math.floor((i - SENDERS) / SOCKETS_PER_ACCOUNT)]! : senderCookies[sender]!;
			const ws = new WebSocket(url, { headers: { cookie, origin: BASE } } as unknown as string[]);
			ws.binaryType = 'arraybuffer';
			clients.push({ ws, sender });
			batch.push(
				new Promise<void>((resolve, reject) => {
					ws.addEventListener('open', () => resolve(), { once: true });
					ws.addEventListener('error', () => reject(new Error(`${kind} socket ${i} failed to open`)), { once: true });
				})
			);
		}
		await Promise.all(batch);
	}
	await sleep(500); // let join/presence traffic settle before measuring
	return clients;
}

/** The bench message id a delivery carries (chat: the message id; relay: the text's first word), or null. */
function idOf(kind: Kind, data: ArrayBuffer | string): string | null {
	if (typeof data === 'string') return null; // the heartbeat's "pong"; every other packet is a codec frame
	const frame = codec.decode(data);
	if (kind === 'chat') {
		if (frame.type !== CHAT.message) return null;
		return (JSON.parse(text.decode(frame.payload)) as [number, number, string])[2];
	}
	if (frame.type !== RELAY.said) return null;
	const said = JSON.parse(text.decode(frame.payload)) as { text: string };
	return said.text.slice(0, said.text.indexOf(' '));
}

function encodeFrame(type: number, seq: number, payload: unknown): Uint8Array {
	const bytes = utf8.encode(JSON.stringify(payload));
	return codec.encode(type, seq, bytes, { compress: bytes.byteLength >= COMPRESS_MIN_BYTES });
}

function encodeSend(kind: Kind, id: string, seq: number): Uint8Array {
	const body = `${id} — the quick brown fox jumps over the lazy dog, a typical short chat line.`;
	if (kind === 'chat') return encodeFrame(CHAT.send, seq, { id, text: body });
	return encodeFrame(RELAY.say, seq, { text: body }); // the same line, so both carry the same text
}

async function run(kind: Kind, clients: Client[], tag: string, perSender: number): Promise<RunResult> {
	const sentAt = new Map<string, number>();
	const latencies: number[] = [];
	const expected = SENDERS * perSender * clients.length;
	let deliveries = 0;
	let last = 0;
	let done!: () => void;
	const finished = new Promise<void>((resolve) => (done = resolve));
	const sentBy = new Array<number>(SENDERS).fill(0);

	const sendNext = (client: Client) => {
		const s = client.sender!;
		if (sentBy[s]! >= perSender) return;
		const id = `${tag}-${s}-${sentBy[s]}`;
		sentBy[s]! += 1;
		sentAt.set(id, performance.now());
		client.ws.send(encodeSend(kind, id, sentBy[s]!));
	};

	const handlers = clients.map((client) => {
		const handler = (event: MessageEvent) => {
			const id = idOf(kind, event.data);
			if (id === null || !id.startsWith(`${tag}-`)) return;
			const now = performance.now();
			latencies.push(now - sentAt.get(id)!);
			deliveries++;
			last = now;
			// A sender's own message came back through the room: its window has room for the next one.
			if (client.sender !== null && id.startsWith(`${tag}-${client.sender}-`)) sendNext(client);
			if (deliveries === expected) done();
		};
		client.ws.addEventListener('message', handler);
		return handler;
	});

	const first = performance.now();
	for (const client of clients) {
		if (client.sender === null) continue;
		for (let w = 0; w < WINDOW; w++) sendNext(client);
	}
	const timeout = setTimeout(() => done(), RUN_TIMEOUT_MS);
	await finished;
	clearTimeout(timeout);
	clients.forEach((client, i) => client.ws.removeEventListener('message', handlers[i]!));
	if (deliveries !== expected) throw new Error(`${kind}: ${deliveries} of ${expected} deliveries arrived`);
	return { deliveries, messages: SENDERS * perSender, seconds: (last - first) / 1000, latencies };
}

async function closeAll(clients: Client[]) {
	await Promise.all(
		clients.map(
			(c) =>
				new Promise<void>((resolve) => {
					if (c.ws.readyState === WebSocket.CLOSED) return resolve();
					c.ws.addEventListener('close', () => resolve(), { once: true });
					c.ws.close(1000);
				})
		)
	);
}

async function measure(kind: Kind, round: number, roomId: string, senderCookies: string[], audienceCookies: string[]) {
	const clients = await openSockets(kind, roomId, senderCookies, audienceCookies);
	if (kind === 'chat') await sleep(200); // history pages on join, already drained by openSockets' settle
	await run(kind, clients, `warm${round}${kind}`, WARMUP_PER_SENDER);
	const result = await run(kind, clients, `r${round}${kind}`, PER_SENDER);
	await closeAll(clients);
	return result;
}

// ---- report -----------------------------------------------------------------------------------------

function summarise(r: RunResult) {
	const sorted = [...r.latencies].sort((a, b) => a - b);
	return {
		deliveredPerSecond: r.deliveries / r.seconds,
		messagesPerSecond: r.messages / r.seconds,
		p50: percentile(sorted, 50),
		p95: percentile(sorted, 95),
		p99: percentile(sorted, 99)
	};
}

async function main() {
	const server = await startLocalServer(PORT, ['--var', `CHAT_RATE_LIMIT:${BENCH_RATE_LIMIT}`]);
	try {
		const run = Date.now().toString(36);
		const senderCookies: string[] = [];
		for (let i = 0; i < SENDERS; i++) senderCookies.push(await signUp(BASE, `bench${run}${i}`, `Bench ${i}`));
		const audienceCookies: string[] = [];
		for (let i = 0; i < Math.ceil((SOCKETS - SENDERS) / SOCKETS_PER_ACCOUNT); i++)
			audienceCookies.push(await signUp(BASE, `bench${run}a${i}`, `Audience ${i}`));
		const roomId = await roomAction('create', { name: 'bench', visibility: 'public' }, senderCookies[0]!);
		for (const cookie of [...senderCookies.slice(1), ...audienceCookies])
			await roomAction('join', { room: roomId }, cookie);

		const best: Record<Kind, ReturnType<typeof summarise> | null> = { chat: null, bare: null };
		for (let round = 0; round < ROUNDS; round++) {
			const order: Kind[] = round % 2 === 0 ? ['chat', 'bare'] : ['bare', 'chat'];
			for (const kind of order) {
				const s = summarise(await measure(kind, round, roomId, senderCookies, audienceCookies));
				if (!best[kind] || s.deliveredPerSecond > best[kind]!.deliveredPerSecond) best[kind] = s;
			}
		}
		const chat = best.chat!;
		const bare = best.bare!;
		const row = (name: string, s: typeof chat) =>
			`| ${name.padEnd(36)} | ${s.deliveredPerSecond.toFixed(0).padStart(11)} | ${s.messagesPerSecond.toFixed(1).padStart(7)} | ${s.p50.toFixed(1).padStart(6)} | ${s.p95.toFixed(1).padStart(6)} | ${s.p99.toFixed(1).padStart(6)} |`;
		console.log(
			`\nbench:chat — ${SOCKETS} sockets in one room, ${SENDERS} senders × ${PER_SENDER} messages, window ${WINDOW}, best of ${ROUNDS} rounds (wrangler dev, loopback)\n`
		);
		console.log('| object                               | delivered/s | msgs/s  | p50 ms | p95 ms | p99 ms |');
		console.log('|--------------------------------------|-------------|---------|--------|--------|--------|');
		console.log(row('ChatRoom (SQLite + WASM codec)', chat));
		console.log(row('RelayRoom (bare broadcast, codec)', bare));
		console.log(
			`| ${'ratio chat / bare'.padEnd(36)} | ${(chat.deliveredPerSecond / bare.deliveredPerSecond).toFixed(2).padStart(10)}× | ${''.padStart(7)} | ${(chat.p50 / bare.p50).toFixed(2).padStart(5)}× | ${(chat.p95 / bare.p95).toFixed(2).padStart(5)}× | ${(chat.p99 / bare.p99).toFixed(2).padStart(5)}× |`
		);
		console.log(
			`\ntarget: chat throughput ≥ 0.8× bare at a comparable p99 → ${chat.deliveredPerSecond / bare.deliveredPerSecond >= 0.8 ? 'met' : 'NOT met'}`
		);
	} finally {
		server.stop();
	}
}

await main();
