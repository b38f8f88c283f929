// Benchmark-only worker (e2e/bench/yjs-baseline/wrangler.toml): two Durable Objects on the same runtime
// as the app, for bench:workspace's doc section.
//
// - YjsRelay: plain Yjs sync as y-websocket's server speaks it (y-protocols sync messages in binary
//   frames, one Y.Doc in memory, every update relayed to the other sockets), with no auth, no limits and
//   no storage: the floor our WorkspaceSync texts are compared against.
// - TextLoad: the app's own TextStore (src/lib/server/workspace/text-store.ts) filled with N single-key
//   edits, compacted as the app does or never, then loaded cold from SQLite and timed.
import { DurableObject } from 'cloudflare:workers';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { TEXT_ROOT } from '$lib/protocol/doc-limits';
import { storedBytes, TextStore, COMPACT_AFTER_BYTES, COMPACT_AFTER_UPDATES } from '$lib/server/workspace/text-store';

interface Env {
	YJS_RELAY: DurableObjectNamespace<YjsRelay>;
	TEXT_LOAD: DurableObjectNamespace<TextLoad>;
}

/** y-websocket's message type for sync frames (awareness is 1; the benchmark sends none). */
const MESSAGE_SYNC = 0;

export class YjsRelay extends DurableObject<Env> {
	private readonly doc = new Y.Doc();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.doc.on('update', (update: Uint8Array, origin: unknown) => {
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, MESSAGE_SYNC);
			syncProtocol.writeUpdate(encoder, update);
			const frame = encoding.toUint8Array(encoder);
			for (const ws of this.ctx.getWebSockets()) if (ws !== origin) ws.send(frame);
		});
	}

	async fetch(): Promise<Response> {
		const { 0: client, 1: server } = new WebSocketPair();
		this.ctx.acceptWebSocket(server);
		// Sync step 1 from the server, as y-websocket does on connect.
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(encoder, this.doc);
		server.send(encoding.toUint8Array(encoder));
		return new Response(null, { status: 101, webSocket: client });
	}

	async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
		if (typeof data === 'string') return;
		const decoder = decoding.createDecoder(new Uint8Array(data));
		if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		// Applies step 2 / updates with the socket as origin (so they are not echoed back), answers step 1.
		syncProtocol.readSyncMessage(decoder, encoder, this.doc, ws);
		if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder));
	}
}

export class TextLoad extends DurableObject<Env> {
	private readonly store: TextStore;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.store = new TextStore(ctx.storage);
	}

	/** Stores `edits` single-key edits (typing with a delete every tenth key) as the app's tail would. */
	fill(textId: string, edits: number, compact: boolean) {
		const started = Date.now();
		const doc = new Y.Doc();
		const text = doc.getText(TEXT_ROOT);
		const stored = this.store.create(textId, doc);
		doc.on('update', (update: Uint8Array) => {
			this.store.append(stored, textId, update);
			if (compact && (stored.tailUpdates >= COMPACT_AFTER_UPDATES || stored.tailBytes >= COMPACT_AFTER_BYTES))
				this.store.compact(stored, textId);
		});
		let cursor = 0;
		for (let i = 0; i < edits; i++) {
			if (i % 10 === 9 && cursor > 0) text.delete(--cursor, 1);
			else text.insert(cursor++, String.fromCharCode(97 + (i % 26)));
			// Now and then the typist moves elsewhere, as people do.
			if (i % 200 === 199) cursor = Math.floor(cursor / 2);
		}
		return {
			ms: Date.now() - started,
			storedBytes: storedBytes(stored),
			tailUpdates: stored.tailUpdates,
			chars: text.length
		};
	}

	/** Loads the text cold from SQLite (what a woken object does for its first reader), timed. */
	load(textId: string) {
		const started = performance.now();
		const loaded = this.store.load(textId)!;
		// What a new client is sent: the whole state, as the object's doc-sync does.
		const state = Y.encodeStateAsUpdate(loaded.doc);
		const ms = performance.now() - started;
		return {
			ms,
			stateBytes: state.byteLength,
			chars: loaded.doc.getText(TEXT_ROOT).length,
			tailUpdates: loaded.tailUpdates
		};
	}
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		const url = new URL(request.url);
		if (url.pathname === '/health') return new Response('ok');
		if (url.pathname.startsWith('/relay/')) {
			return env.YJS_RELAY.get(env.YJS_RELAY.idFromName(url.pathname.slice(7))).fetch(request);
		}
		const textLoad = env.TEXT_LOAD.get(env.TEXT_LOAD.idFromName('bench'));
		const textId = url.searchParams.get('text') ?? 'doc:bench';
		if (url.pathname === '/fill') {
			const edits = Number(url.searchParams.get('edits') ?? 100_000);
			return Response.json(await textLoad.fill(textId, edits, url.searchParams.get('compact') === '1'));
		}
		if (url.pathname === '/load') return Response.json(await textLoad.load(textId));
		return new Response('not found', { status: 404 });
	}
};
