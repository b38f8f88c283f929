import type { ServerMessage } from '$lib/protocol/channel';
import { TEXT_ID_PATTERN } from '$lib/protocol/doc-limits';
import type { WorkspaceChannel } from '$lib/protocol/workspace-channel';
import { TextSession, type TextCache, type TextMessage, type TextSend, type TextUser } from './text-session';

/**
 * The workspace's open collaborative texts on its one socket: opens and closes sessions for editors,
 * hands each its frames (errors about a text carry its id as `ref`), and tells them when the socket
 * comes and goes. Frames for a text nobody has open any more are dropped.
 */
export class TextClient {
	private readonly sessions = new Map<string, { session: TextSession; users: number; ready: boolean }>();
	private send: TextSend | null = null;
	private userId: string | null = null;
	/** Counts sendUnsynced runs, so a run started on an earlier socket stops when a new one starts. */
	private unsyncedRun = 0;

	// Plain fields, not parameter properties: the benchmark runs this file under Node's type stripping.
	private readonly user: TextUser;
	private readonly cache: TextCache | null;

	constructor(user: TextUser, cache: TextCache | null = null) {
		this.user = user;
		this.cache = cache;
	}

	/** The session of `textId`, shared by every editor of it on this page; release it when done. */
	open(textId: string): TextSession {
		const existing = this.sessions.get(textId);
		if (existing) {
			existing.users++;
			return existing.session;
		}
		const session = new TextSession(textId, this.user, this.cache);
		if (this.userId) session.setUserId(this.userId);
		const entry = { session, users: 1, ready: false };
		this.sessions.set(textId, entry);
		// Connected only once its cache is in: the first state vector then covers its offline edits.
		void session.init().then(() => {
			entry.ready = true;
			if (this.send && this.sessions.get(textId) === entry) session.connected(this.send);
		});
		return session;
	}

	/** Whether the session of `textId` has loaded its cache (and so connects with the socket). */
	isReady(textId: string): boolean {
		return this.sessions.get(textId)?.ready ?? false;
	}

	release(textId: string) {
		const entry = this.sessions.get(textId);
		if (!entry || --entry.users > 0) return;
		this.sessions.delete(textId);
		entry.session.close();
	}

	/** Whether a frame is about a text (the event log's engine gets every other one). */
	handles(message: ServerMessage<WorkspaceChannel>): message is TextMessage {
		if (message.type === 'error') return message.payload.ref !== undefined && TEXT_ID_PATTERN.test(message.payload.ref);
		return message.type.startsWith('doc-');
	}

	receive(message: TextMessage) {
		const textId = message.type === 'error' ? message.payload.ref! : message.payload.textId;
		this.sessions.get(textId)?.session.receive(message);
	}

	hello(userId: string) {
		this.userId = userId;
		for (const { session } of this.sessions.values()) session.setUserId(userId);
	}

	connected(send: TextSend) {
		this.send = send;
		for (const { session, ready } of this.sessions.values()) if (ready) session.connected(send);
		void this.sendUnsynced();
	}

	/**
	 * Texts edited offline whose editor has closed since (or that were edited before a reload) are opened
	 * in the background on connect, synced, and closed again: edits made on the train reach the others
	 * without anyone reopening the doc. A few at a time (BACKGROUND_SYNCS_AT_ONCE), after the texts on
	 * screen (connected() opened those first): all at once, more than DOC_OPEN_MAX_PER_SOCKET of them
	 * would have the server refuse them and the visible one alike.
	 */
	private async sendUnsynced() {
		const run = ++this.unsyncedRun;
		const queue = (await this.cache?.unsynced().catch(() => [])) ?? [];
		// A later connect started its own run (this socket is gone): this one stops.
		const next = (): void => {
			if (run !== this.unsyncedRun || !this.send) return;
			const textId = queue.shift();
			if (textId === undefined) return;
			if (this.sessions.has(textId)) return next();
			const session = this.open(textId);
			const stop = session.subscribe(() => {
				if (session.status !== 'synced' && session.error === null) return;
				stop();
				this.release(textId);
				next();
			});
		};
		for (let i = 0; i < BACKGROUND_SYNCS_AT_ONCE; i++) next();
	}

	disconnected() {
		this.send = null;
		for (const { session } of this.sessions.values()) session.disconnected();
	}

	closeAll() {
		for (const textId of [...this.sessions.keys()]) {
			const entry = this.sessions.get(textId)!;
			entry.users = 1;
			this.release(textId);
		}
	}
}

/** Background syncs of offline edits in flight at once: room is left for the texts on screen. */
export const BACKGROUND_SYNCS_AT_ONCE = 2;

/** A colour per user id, from a palette readable on white and on dark backgrounds. */
export function userColor(userId: string): { color: string; colorLight: string } {
	const palette = ['#e11d48', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d'];
	let hash = 0;
	for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
	const color = palette[hash % palette.length];
	return { color, colorLight: `${color}33` };
}
