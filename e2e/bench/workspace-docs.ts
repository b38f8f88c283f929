// The doc section of bench:workspace (imported by workspace.ts after it has taught Node to load the app's
// TypeScript): two clients typing concurrently into one collaborative text, on the app (the browser's own
// TextClient/TextSession under Node, over the workspace channel to WorkspaceSync) and, side by side, on
// plain Yjs sync (y-protocols sync messages, sent per keystroke as y-websocket does, over a bare relaying
// Durable Object on the same runtime: e2e/bench/yjs-baseline/). Then the cold load of a 100,000-edit text
// from the app's TextStore, compacted as the app does vs never compacted.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { formPost, percentile, signUp } from './local-server.ts';

const { TextClient } = await import('../../src/lib/workspace/text-client.ts');
const { TEXT_ROOT } = await import('../../src/lib/protocol/doc-limits.ts');

/** Keystrokes per typist: two typists, 10,000 keystrokes in all. */
export const KEYSTROKES_PER_TYPIST = 5_000;
/** Each typist's rate: a key every 10 ms, far faster than people, so coalescing and budgets are exercised. */
const KEYS_PER_SECOND = 100;
/** The text-load part: edits in the stored text, and how many timed loads of each kind. */
const LOAD_EDITS = 100_000;
const LOAD_RUNS = 5;
const MESSAGE_SYNC = 0;

type Wire = {
	encodeClient(type: string, payload: unknown): Uint8Array;
	decodeServer(data: ArrayBuffer): { type: string; payload: { userId?: string } };
};

/** What one typing run measured. */
export interface TypingResult {
	convergeAfterLastKeyMs: number;
	totalMs: number;
	upBytesPerKey: number;
	downBytesPerKey: number;
	framesUp: number;
	p50: number;
	p99: number;
	max: number;
	delivered: number;
}

/** A typist: a Y.Doc it types into, its bytes on the wire, and when each of its keystrokes was made. */
interface Typist {
	doc: Y.Doc;
	up: number;
	down: number;
	framesUp: number;
	close(): void;
}

/** The app's client: the browser's TextClient on a Node WebSocket speaking the workspace channel. */
async function appTypist(url: string, wire: Wire, textId: string): Promise<Typist> {
	const texts = new TextClient({ id: 'bench', name: 'bench', color: '#000', colorLight: '#0003' });
	const session = texts.open(textId);
	const ws = new WebSocket(url);
	ws.binaryType = 'arraybuffer';
	const typist: Typist = {
		doc: session.doc,
		up: 0,
		down: 0,
		framesUp: 0,
		close: () => {
			texts.closeAll();
			ws.close(1000);
		}
	};
	ws.addEventListener('message', (event) => {
		const data = event.data as ArrayBuffer;
		typist.down += data.byteLength;
		const message = wire.decodeServer(data) as Parameters<typeof texts.receive>[0];
		if (texts.handles(message)) texts.receive(message);
		else if ((message as { type: string }).type === 'hello')
			texts.hello((message.payload as { userId: string }).userId);
	});
	await new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true });
		ws.addEventListener('error', reject, { once: true });
	});
	texts.connected((type, payload) => {
		const frame = wire.encodeClient(type, payload);
		typist.up += frame.byteLength;
		typist.framesUp++;
		ws.send(frame);
	});
	while (session.status !== 'synced') await sleep(5);
	return typist;
}

/** Plain Yjs: y-protocols sync step 1/2 on connect, then every local update sent at once. */
async function relayTypist(url: string): Promise<Typist> {
	const doc = new Y.Doc();
	const ws = new WebSocket(url);
	ws.binaryType = 'arraybuffer';
	const typist: Typist = { doc, up: 0, down: 0, framesUp: 0, close: () => ws.close(1000) };
	const send = (encoder: encoding.Encoder) => {
		const frame = encoding.toUint8Array(encoder);
		typist.up += frame.byteLength;
		typist.framesUp++;
		ws.send(frame);
	};
	let synced = false;
	ws.addEventListener('message', (event) => {
		const data = new Uint8Array(event.data as ArrayBuffer);
		typist.down += data.byteLength;
		const decoder = decoding.createDecoder(data);
		if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		const kind = syncProtocol.readSyncMessage(decoder, encoder, doc, 'remote');
		if (kind === syncProtocol.messageYjsSyncStep2) synced = true;
		if (encoding.length(encoder) > 1) send(encoder);
	});
	doc.on('update', (update: Uint8Array, origin: unknown) => {
		if (origin === 'remote') return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		syncProtocol.writeUpdate(encoder, update);
		send(encoder);
	});
	await new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true });
		ws.addEventListener('error', reject, { once: true });
	});
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	syncProtocol.writeSyncStep1(encoder, doc);
	send(encoder);
	while (!synced) await sleep(5);
	return typist;
}

/**
 * Both typists type KEYSTROKES_PER_TYPIST keys at once, each after its own cursor. Latency: a keystroke
 * is its author's Yjs clock; the moment the other side's state vector covers that clock, it has arrived.
 */
async function typeConcurrently(a: Typist, b: Typist): Promise<TypingResult> {
	for (const t of [a, b]) t.up = t.down = t.framesUp = 0;
	const latencies: number[] = [];
	const watch = (author: Typist, reader: Typist, sentAt: number[]) => {
		let seen = Y.getState(reader.doc.store, author.doc.clientID);
		reader.doc.on('update', () => {
			const now = performance.now();
			const state = Y.getState(reader.doc.store, author.doc.clientID);
			for (; seen < state; seen++) if (sentAt[seen] !== undefined) latencies.push(now - sentAt[seen]);
		});
	};
	const sentA: number[] = [];
	const sentB: number[] = [];
	watch(a, b, sentA);
	watch(b, a, sentB);
	const type = async (typist: Typist, sentAt: number[], letter: string) => {
		const text = typist.doc.getText(TEXT_ROOT);
		let cursor = Y.createRelativePositionFromTypeIndex(text, 0);
		const start = performance.now();
		for (let i = 0; i < KEYSTROKES_PER_TYPIST; i++) {
			const wait = start + (i * 1000) / KEYS_PER_SECOND - performance.now();
			if (wait > 0) await sleep(wait);
			const at = Y.createAbsolutePositionFromRelativePosition(cursor, typist.doc)!.index;
			sentAt[Y.getState(typist.doc.store, typist.doc.clientID)] = performance.now();
			text.insert(at, letter);
			cursor = Y.createRelativePositionFromTypeIndex(text, at + 1);
		}
	};
	const started = performance.now();
	await Promise.all([type(a, sentA, 'a'), type(b, sentB, 'b')]);
	const lastKey = performance.now();
	const total = 2 * KEYSTROKES_PER_TYPIST;
	const textOf = (t: Typist) => t.doc.getText(TEXT_ROOT).toString();
	const deadline = Date.now() + 60_000;
	while (!(textOf(a) === textOf(b) && textOf(a).length >= total)) {
		if (Date.now() > deadline) throw new Error('the two texts did not converge');
		await sleep(1);
	}
	const done = performance.now();
	const sorted = latencies.sort((x, y) => x - y);
	return {
		convergeAfterLastKeyMs: done - lastKey,
		totalMs: done - started,
		upBytesPerKey: (a.up + b.up) / total,
		downBytesPerKey: (a.down + b.down) / total,
		framesUp: a.framesUp + b.framesUp,
		p50: percentile(sorted, 50),
		p99: percentile(sorted, 99),
		max: sorted.at(-1) ?? NaN,
		delivered: latencies.length
	};
}

/** Creates the doc the typists write in (a text opens only for a doc that exists): one push of doc.created. */
async function createDoc(url: string, wire: Wire, id: string): Promise<void> {
	const ws = new WebSocket(url);
	ws.binaryType = 'arraybuffer';
	await new Promise<void>((resolve, reject) => {
		ws.addEventListener('message', (event) => {
			const message = wire.decodeServer(event.data as ArrayBuffer) as {
				type: string;
				payload: Record<string, unknown>;
			};
			if (message.type === 'hello') {
				const created = { id, title: 'Bench doc', body: '' };
				const event = { name: 'doc.created', args: created, clientId: `bench-${id}`, clientSeq: 1, at: Date.now() };
				ws.send(wire.encodeClient('push', { parent: message.payload.head, events: [event] }));
			} else if (message.type === 'events' && message.payload.live) resolve();
			else if (message.type === 'error' || message.type === 'push-rejected') {
				reject(new Error(`creating the bench doc failed: ${JSON.stringify(message)}`));
			}
		});
		ws.addEventListener('error', reject, { once: true });
	});
	ws.close(1000);
}

/** The app: two members' browsers on the workspace channel, one doc. */
export async function typingOnApp(urls: [string, string], wire: Wire): Promise<TypingResult & { textId: string }> {
	const docId = `bench-${Date.now().toString(36)}`;
	const textId = `doc:${docId}`;
	await createDoc(urls[0], wire, docId);
	const [a, b] = [await appTypist(urls[0], wire, textId), await appTypist(urls[1], wire, textId)];
	try {
		return { ...(await typeConcurrently(a, b)), textId };
	} finally {
		a.close();
		b.close();
	}
}

/** The cold open of a text by a new client of the app: doc-open → doc-sync, ms and bytes. */
export async function openOnApp(url: string, wire: Wire, textId: string) {
	const started = performance.now();
	const typist = await appTypist(url, wire, textId);
	const ms = performance.now() - started;
	const chars = typist.doc.getText(TEXT_ROOT).length;
	typist.close();
	return { ms, chars, bytes: typist.down };
}

/** Starts the baseline worker (e2e/bench/yjs-baseline) under `wrangler dev` on `port`. */
export async function startBaseline(port: number): Promise<{ base: string; stop(): void }> {
	const server = spawn(
		'npx',
		[
			'wrangler',
			'dev',
			'-c',
			'e2e/bench/yjs-baseline/wrangler.toml',
			'--port',
			String(port),
			'--ip',
			'127.0.0.1',
			'--inspector-port',
			String(port + 10000),
			'--persist-to',
			`.wrangler/bench-yjs-${port}`
		],
		{ stdio: ['ignore', 'ignore', 'inherit'], detached: true }
	);
	const stop = () => {
		try {
			process.kill(-server.pid!, 'SIGTERM');
		} catch {
			// already gone
		}
	};
	process.on('exit', stop);
	const base = `http://127.0.0.1:${port}`;
	for (const deadline = Date.now() + 120_000; ; await sleep(250)) {
		try {
			if ((await fetch(`${base}/health`)).ok) return { base, stop };
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			stop();
			throw new Error(`the baseline worker on :${port} did not start`);
		}
	}
}

export async function typingOnRelay(base: string): Promise<TypingResult> {
	const url = `${base.replace('http', 'ws')}/relay/bench-${Date.now().toString(36)}`;
	const [a, b] = [await relayTypist(url), await relayTypist(url)];
	try {
		return await typeConcurrently(a, b);
	} finally {
		a.close();
		b.close();
	}
}

/** Cold loads of a LOAD_EDITS-edit text from TextStore, compacted vs not: medians in-object and round trip. */
export async function textLoads(base: string) {
	const result = async (compact: boolean) => {
		const textId = `doc:${compact ? 'compacted' : 'uncompacted'}-${Date.now().toString(36)}`;
		const fill = (await (
			await fetch(`${base}/fill?text=${textId}&edits=${LOAD_EDITS}&compact=${compact ? 1 : 0}`)
		).json()) as {
			storedBytes: number;
			tailUpdates: number;
			chars: number;
		};
		const runs: { ms: number; roundTrip: number; stateBytes: number }[] = [];
		for (let i = 0; i < LOAD_RUNS; i++) {
			const started = performance.now();
			const load = (await (await fetch(`${base}/load?text=${textId}`)).json()) as { ms: number; stateBytes: number };
			runs.push({ ...load, roundTrip: performance.now() - started });
		}
		const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
		return {
			...fill,
			ms: median(runs.map((r) => r.ms)),
			roundTrip: median(runs.map((r) => r.roundTrip)),
			stateBytes: runs[0].stateBytes
		};
	};
	return { compacted: await result(true), uncompacted: await result(false), edits: LOAD_EDITS, runs: LOAD_RUNS };
}

/**
 * Two members typing into one doc at once on the app, then the same on plain Yjs sync over a bare
 * relaying object (the baseline worker, BENCH_PORT + 1), then cold loads of a 100,000-edit text.
 */
export async function docSection(options: {
	base: string;
	port: number;
	ownerCookie: string;
	workspaceId: string;
	socketUrl(cookie: string, workspaceId: string): Promise<string>;
	wire: Wire;
}) {
	const { base: BASE, port: PORT, ownerCookie, workspaceId, socketUrl, wire } = options;
	const memberName = `benchdoc${Date.now().toString(36)}`;
	const memberCookie = await signUp(BASE, memberName);
	const added = await formPost(
		BASE,
		`/workspace/${workspaceId}/members?/add`,
		{ username: memberName, role: 'editor' },
		ownerCookie
	);
	if (added.status >= 400) throw new Error(`adding the second typist failed: ${added.status}`);
	const app = await typingOnApp(
		[await socketUrl(ownerCookie, workspaceId), await socketUrl(memberCookie, workspaceId)],
		wire
	);
	// Both typists left, so the object dropped its in-memory copy: this open loads it from SQLite.
	const open = await openOnApp(await socketUrl(ownerCookie, workspaceId), wire, app.textId);
	const baseline = await startBaseline(PORT + 1);
	try {
		const relay = await typingOnRelay(baseline.base);
		const loads = await textLoads(baseline.base);
		const fmt = (n: number) => n.toFixed(1);
		const keys = 2 * KEYSTROKES_PER_TYPIST;
		const rows: [string, string, string][] = [
			['typing: keystrokes (2 typists at once, 100 keys/s each)', String(keys), String(keys)],
			[
				'typing: converged after the last keystroke (ms)',
				fmt(app.convergeAfterLastKeyMs),
				fmt(relay.convergeAfterLastKeyMs)
			],
			['typing: whole run, first key to converged (ms)', fmt(app.totalMs), fmt(relay.totalMs)],
			['typing: bytes on the wire per keystroke, client→server', fmt(app.upBytesPerKey), fmt(relay.upBytesPerKey)],
			['typing: bytes on the wire per keystroke, server→client', fmt(app.downBytesPerKey), fmt(relay.downBytesPerKey)],
			['typing: frames sent by the two clients', String(app.framesUp), String(relay.framesUp)],
			['typing: keystrokes seen by the other client', `${app.delivered} / ${keys}`, `${relay.delivered} / ${keys}`],
			['latency: keystroke → other client p50 (ms)', fmt(app.p50), fmt(relay.p50)],
			['latency: keystroke → other client p99 (ms)', fmt(app.p99), fmt(relay.p99)],
			['latency: max (ms)', fmt(app.max), fmt(relay.max)],
			[`open: new client doc-open → synced, ${keys}-key text from SQLite (ms)`, fmt(open.ms), '—'],
			[
				`load: ${loads.edits.toLocaleString('en')}-edit text, compacted: in-object (ms, median of ${loads.runs})`,
				fmt(loads.compacted.ms),
				'—'
			],
			['load: compacted, HTTP round trip incl. load (ms)', fmt(loads.compacted.roundTrip), '—'],
			[
				'load: compacted, stored bytes / tail updates',
				`${loads.compacted.storedBytes} / ${loads.compacted.tailUpdates}`,
				'—'
			],
			[
				`load: ${loads.edits.toLocaleString('en')}-edit text, never compacted: in-object (ms)`,
				fmt(loads.uncompacted.ms),
				'—'
			],
			['load: never compacted, HTTP round trip incl. load (ms)', fmt(loads.uncompacted.roundTrip), '—'],
			[
				'load: never compacted, stored bytes / tail updates',
				`${loads.uncompacted.storedBytes} / ${loads.uncompacted.tailUpdates}`,
				'—'
			],
			['load: state sent to a new client (bytes)', String(loads.compacted.stateBytes), '—']
		];
		const width = Math.max(...rows.map(([k]) => k.length));
		console.log(`\nWorkspace docs (collaborative texts): app vs plain y-protocols relay, same runtime`);
		console.log(`${'metric'.padEnd(width)} | ${'Murmur'.padEnd(14)} | plain Yjs relay`);
		console.log(`${'-'.repeat(width)}-|-${'-'.repeat(14)}-|-${'-'.repeat(16)}`);
		for (const [k, v, r] of rows) console.log(`${k.padEnd(width)} | ${v.padEnd(14)} | ${r}`);
	} finally {
		baseline.stop();
	}
}
