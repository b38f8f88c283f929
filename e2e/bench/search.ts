// npm run bench:search — chat search through the queue, on the local runtime (wrangler dev, loopback, its
// local queue and D1):
//
// 1. Indexing throughput: ROOMS sockets (one room each) post MESSAGES in all through their ChatRooms, each
//    keeping WINDOW sends in flight. Every stored message goes room → outbox → CHAT_INDEX queue → consumer
//    → D1 FTS5. Measured from the first send until the last message is in the index (counted in a copy of
//    the local D1 file, once a second: an open connection to the live file would take SQLite locks that
//    make the runtime's own writes wait), against the reference: the same sends stored and acknowledged by
//    the rooms (the last ack), i.e. how far the index trails the rooms.
// 2. Search latency over those messages: GET /chat/search (session, access rules, FTS5 MATCH, snippet,
//    SSR) for a rare word (1 hit), a common one (a large share of all messages: FTS5 finds them all and the
//    newest 21 are kept), two words, a prefix and a phrase; against the reference: the same account reading
//    a 20-message history page (GET /api/messages) through the same stack.
//
// Env: BENCH_SEARCH_MESSAGES (100000), BENCH_ROOMS (10), BENCH_WINDOW (32), BENCH_QUERIES per kind (50),
//      BENCH_PORT (8792).
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadNodeCodec } from '../../wasm/node/load-codec-node.ts';
import { formPost, percentile, signUp, startLocalServer } from './local-server.ts';

const env = (name: string, fallback: number) => {
	const value = Number(process.env[name] ?? fallback);
	if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
	return value;
};
const ROOMS = env('BENCH_ROOMS', 10);
const TOTAL = Math.ceil(env('BENCH_SEARCH_MESSAGES', 100_000) / ROOMS) * ROOMS;
const WINDOW = env('BENCH_WINDOW', 32);
const QUERIES = env('BENCH_QUERIES', 50);
const PORT = env('BENCH_PORT', 8792);
const BASE = `http://127.0.0.1:${PORT}`;
/** Indexing that has not finished by then failed (lost messages): bounded, never a hang. */
const INDEX_TIMEOUT_MS = 30 * 60_000;
/** As bench:chat: the per-user rate limit is policy, not pipeline cost. */
const BENCH_RATE_LIMIT = '100000000/1000';

// chatChannel (src/lib/protocol/chat.ts): version 3, client send 1, and a send is acked by the sender's copy
// of the server's message frame (type 3) carrying the send's request number as its frame seq, or, when the
// room is busy, by its message in a `messages` frame (type 12, an array of them) (pinned by chat.spec.ts);
// payloads under 768 bytes are framed uncompressed (channel.ts COMPRESS_MIN_BYTES). Not imported: Node's
// type stripping cannot resolve those modules' extensionless imports.
const CHAT = { version: 3, send: 1, message: 3, messages: 12 };
const COMPRESS_MIN_BYTES = 768;
const { codec } = loadNodeCodec();
const utf8 = new TextEncoder();
const text = new TextDecoder();

// ---- the corpus: deterministic, Zipf-distributed words, each message with one unique token -------------

let seed = 0x5eed;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'sa', 'do', 'fu', 'gi', 'ho', 'ju'];
const VOCABULARY = SYLLABLES.flatMap((a) => SYLLABLES.flatMap((b) => SYLLABLES.map((c) => a + b + c)));
/** Zipf (s = 1) over the vocabulary: word k is drawn with weight 1/(k+1), as in natural text. */
const cumulative = VOCABULARY.map((_, k) => 1 / (k + 1)).map(
	(
		(sum) => (w: number) =>
			(sum += w)
	)(0)
);
const drawWord = () => {
	const r = random() * cumulative.at(-1)!;
	let lo = 0;
	for (let hi = cumulative.length - 1; lo < hi;) {
		const mid = (lo + hi) >> 1;
		if (cumulative[mid]! < r) lo = mid + 1;
		else hi = mid;
	}
	return VOCABULARY[lo]!;
};
const messageText = (i: number) => `${Array.from({ length: 12 }, drawWord).join(' ')} tok${i}`;

// ---- phase 1: post everything, wait for the index ---------------------------------------------------

function encodeSend(id: string, seq: number, body: string): Uint8Array {
	const bytes = utf8.encode(JSON.stringify({ id, text: body }));
	return codec.encode(CHAT.send, seq, bytes, { compress: bytes.byteLength >= COMPRESS_MIN_BYTES });
}

/** One socket posting `count` messages (ids start at `first`), WINDOW in flight, resolving at the last ack. */
async function postAll(roomId: string, cookie: string, first: number, count: number): Promise<number> {
	const ws = new WebSocket(`ws://127.0.0.1:${PORT}/chat/${roomId}/ws?v=${CHAT.version}`, {
		headers: { cookie, origin: BASE }
	} as unknown as string[]);
	ws.binaryType = 'arraybuffer';
	await new Promise<void>((resolve, reject) => {
		ws.addEventListener('open', () => resolve(), { once: true });
		ws.addEventListener('error', () => reject(new Error('socket failed to open')), { once: true });
	});
	let sent = 0;
	let acked = 0;
	const sendNext = () => {
		if (sent >= count) return;
		const i = first + sent++;
		ws.send(encodeSend(`b${i}`, sent, messageText(i)));
	};
	return new Promise<number>((resolve) => {
		ws.addEventListener('message', (event) => {
			if (typeof event.data === 'string') return;
			const frame = codec.decode(event.data as ArrayBuffer);
			if (frame.type === 0) throw new Error(`refused: ${text.decode(frame.payload)}`);
			// The sender's copy is the ack; this socket is the only poster in its room.
			if (frame.type === CHAT.messages) acked += (JSON.parse(text.decode(frame.payload)) as unknown[]).length;
			else if (frame.type === CHAT.message && frame.seq !== 0) acked++;
			else return;
			if (acked >= count) {
				ws.close(1000);
				resolve(performance.now());
			} else sendNext();
		});
		for (let w = 0; w < WINDOW; w++) sendNext();
	});
}

/**
 * Runs `read` on a copy of the local D1's SQLite file and its write-ahead log (wrangler dev keeps one
 * file per database under its state directory). A copy, because a connection to the live file shares its
 * locks with the runtime, whose writes then wait on us; SQLite recovers the copied log's whole frames.
 */
function onD1Copy<T>(read: (db: DatabaseSync) => T): T {
	const dir = `.wrangler/e2e-${PORT}/v3/d1/miniflare-D1DatabaseObject`;
	const file = readdirSync(dir).find((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
	if (!file) throw new Error(`no D1 database in ${dir}`);
	const copy = mkdtempSync(join(tmpdir(), 'bench-search-'));
	try {
		copyFileSync(join(dir, file), join(copy, 'd1.sqlite'));
		if (existsSync(join(dir, `${file}-wal`))) copyFileSync(join(dir, `${file}-wal`), join(copy, 'd1.sqlite-wal'));
		const db = new DatabaseSync(join(copy, 'd1.sqlite'));
		try {
			return read(db);
		} finally {
			db.close();
		}
	} finally {
		rmSync(copy, { recursive: true, force: true });
	}
}

const count = (db: DatabaseSync, sql: string, ...params: string[]) =>
	Number((db.prepare(sql).get(...params) as { n: number }).n);

// ---- phase 2: search latency ---------------------------------------------------------------------

async function timed(url: string, cookie: string, check: (body: string) => boolean): Promise<number> {
	const start = performance.now();
	const response = await fetch(url, { headers: { cookie } });
	const body = await response.text();
	const ms = performance.now() - start;
	if (!response.ok || !check(body)) throw new Error(`${url}: HTTP ${response.status}, unexpected answer`);
	return ms;
}

function summary(samples: number[]) {
	const sorted = [...samples].sort((a, b) => a - b);
	return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function main() {
	console.log(`bench:search — ${TOTAL.toLocaleString('en')} messages in ${ROOMS} rooms, window ${WINDOW}`);
	const server = await startLocalServer(PORT, ['--var', `CHAT_RATE_LIMIT:${BENCH_RATE_LIMIT}`]);
	try {
		const cookie = await signUp(BASE, `bench${Date.now().toString(36)}`, 'Bench Search');
		const rooms: string[] = [];
		for (let r = 0; r < ROOMS; r++) {
			const response = await formPost(BASE, '/chat?/create', { name: `bench ${r}`, visibility: 'public' }, cookie);
			rooms.push(response.headers.get('location')!.split('/').pop()!);
		}

		const perRoom = TOTAL / ROOMS;
		const start = performance.now();
		const lastAcks = Promise.all(rooms.map((room, r) => postAll(room, cookie, r * perRoom, perRoom)));
		let indexDone = 0;
		let lastPrint = start;
		while (indexDone === 0) {
			const n = onD1Copy((db) => count(db, 'SELECT count(*) AS n FROM chat_search_docs'));
			const now = performance.now();
			if (n >= TOTAL) indexDone = now;
			else if (now - start > INDEX_TIMEOUT_MS) throw new Error(`only ${n} of ${TOTAL} messages were indexed`);
			if (now - lastPrint > 10_000) {
				console.log(`  … ${n.toLocaleString('en')} indexed after ${((now - start) / 1000).toFixed(0)} s`);
				lastPrint = now;
			}
			await sleep(Math.max(0, 1_000 - (performance.now() - now)));
		}
		const storedDone = Math.max(...(await lastAcks));
		const storeSeconds = (storedDone - start) / 1000;
		const indexSeconds = (indexDone - start) / 1000;
		// Words to search for, from the corpus: the commonest, two of middling frequency, one rare token.
		const common = VOCABULARY[0]!;
		const middling = [VOCABULARY[40]!, VOCABULARY[41]!];
		const match = 'SELECT count(*) AS n FROM chat_search WHERE chat_search MATCH ?';
		const [fts, commonHits, middlingHits, prefixHits, phraseHits] = onD1Copy((db) => [
			count(db, match, 'tok*'),
			count(db, match, `"${common}"`),
			count(db, match, middling.map((w) => `"${w}"`).join(' ')),
			count(db, match, `"${common.slice(0, 4)}"*`),
			count(db, match, `"${common} ${common}"`)
		]);
		if (fts !== TOTAL) throw new Error(`the FTS index holds ${fts} of ${TOTAL} messages`);

		const f = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });
		const kinds: [string, () => string, string][] = [
			['rare token (1 hit)', () => `tok${Math.floor(random() * TOTAL)}`, '1'],
			[`common word "${common}"`, () => common, f(commonHits)],
			['two words', () => middling.join(' '), f(middlingHits)],
			[`prefix "${common.slice(0, 4)}*"`, () => `${common.slice(0, 4)}*`, f(prefixHits)],
			['phrase', () => `"${common} ${common}"`, f(phraseHits)]
		];
		const page = (q: string) => `${BASE}/chat/search?q=${encodeURIComponent(q)}`;
		const history = `${BASE}/api/messages?room=${rooms[0]}&limit=20`;
		// Warm both paths (first requests compile and fill caches).
		for (let i = 0; i < 5; i++) {
			await timed(page(common), cookie, () => true);
			await timed(history, cookie, () => true);
		}
		const rows: [string, string, { p50: number; p99: number }][] = [];
		const all: number[] = [];
		for (const [name, query, matches] of kinds) {
			const samples: number[] = [];
			for (let i = 0; i < QUERIES; i++)
				samples.push(await timed(page(query()), cookie, (body) => body.includes('data-testid="search-result"')));
			all.push(...samples);
			rows.push([name, matches, summary(samples)]);
		}
		const historySamples: number[] = [];
		for (let i = 0; i < QUERIES; i++)
			historySamples.push(await timed(history, cookie, (body) => body.includes('"messages"')));
		const reference = summary(historySamples);
		const overall = summary(all);

		const ms = (n: number) => n.toFixed(1);
		console.log('\nIndexing through the queue (send → searchable):');
		console.log(`| path                                   | messages | seconds |  msgs/s |`);
		console.log(`| -------------------------------------- | -------: | ------: | ------: |`);
		console.log(
			`| stored and acked by the rooms (ref.)   | ${f(TOTAL).padStart(8)} | ${storeSeconds.toFixed(1).padStart(7)} | ${f(TOTAL / storeSeconds).padStart(7)} |`
		);
		console.log(
			`| searchable in D1 FTS5 (queue consumer) | ${f(TOTAL).padStart(8)} | ${indexSeconds.toFixed(1).padStart(7)} | ${f(TOTAL / indexSeconds).padStart(7)} |`
		);
		console.log(
			`index / rooms throughput ${(storeSeconds / indexSeconds).toFixed(2)}×; the index was complete ${((indexDone - storedDone) / 1000).toFixed(1)} s after the last ack`
		);
		console.log(`\nSearch latency over ${f(TOTAL)} messages (GET /chat/search, ${QUERIES} each, sequential):`);
		console.log(`| query                      |  matches | p50 ms | p99 ms | p50 / ref |`);
		console.log(`| -------------------------- | -------: | -----: | -----: | --------: |`);
		for (const [name, matches, s] of [...rows, ['all queries', '', overall] as const])
			console.log(
				`| ${name.padEnd(26)} | ${matches.padStart(8)} | ${ms(s.p50).padStart(6)} | ${ms(s.p99).padStart(6)} | ${(s.p50 / reference.p50).toFixed(2).padStart(8)}× |`
			);
		console.log(
			`| history page (reference)   |       20 | ${ms(reference.p50).padStart(6)} | ${ms(reference.p99).padStart(6)} |     1.00× |`
		);
	} finally {
		server.stop();
	}
}

await main();
process.exit(0);
