import { WebSocket as ReconnectingSocket } from 'partysocket';
import { loadBrowserCodec } from '$lib/protocol/load-codec-browser';
import type { ChatMessage, ChatUser } from '$lib/protocol/chat';
import { ChatSession, type OutboxItem, type TypingUser } from './chat-session';
import { Heartbeat, PING, PONG } from './heartbeat';

/** Close code the room uses when the user is no longer a member (CloseCode.policy): do not reconnect. */
const POLICY_CLOSE = 1008;

/**
 * The browser's chat connection: a ChatSession (protocol, outbox, resume point) on a partysocket that
 * reconnects by itself, with the session's state mirrored into runes for the components. Unconfirmed
 * sends are also kept in localStorage, so a message written offline survives a reload and is still sent
 * exactly once (the room deduplicates by id).
 */
export class ChatClient {
	messages: ChatMessage[] = $state.raw([]);
	pending: OutboxItem[] = $state.raw([]);
	online: ChatUser[] = $state.raw([]);
	typing: TypingUser[] = $state.raw([]);
	status: 'connecting' | 'connected' | 'reconnecting' | 'closed' = $state('connecting');
	hasMore = $state(false);
	loadingOlder = $state(false);
	notice: string | null = $state(null);
	/** While the rate limit holds the outbox: how many messages wait and about how many seconds it takes. */
	waiting: { count: number; seconds: number } | null = $state(null);

	private socket: ReconnectingSocket | null = null;
	private heartbeat: Heartbeat | null = null;
	private typingTimer: ReturnType<typeof setTimeout> | undefined;
	private waitingTimer: ReturnType<typeof setTimeout> | undefined;
	private readonly session: ChatSession;
	private readonly storageKey: string;

	private constructor(
		codec: Awaited<ReturnType<typeof loadBrowserCodec>>,
		readonly roomId: string,
		readonly me: ChatUser
	) {
		this.storageKey = `murmur.chat.outbox.${roomId}.${me.id}`;
		this.session = new ChatSession(codec, me, () => this.sync());
		this.session.outbox = restoreOutbox(this.storageKey);
	}

	/** Loads the codec (WASM) first, so no frame is ever handled without it. */
	static async open(roomId: string, me: ChatUser): Promise<ChatClient> {
		const client = new ChatClient(await loadBrowserCodec(), roomId, me);
		client.sync();
		client.connect();
		return client;
	}

	send(text: string) {
		this.session.send(text);
	}
	retry(id: string) {
		this.session.retry(id);
	}
	discard(id: string) {
		this.session.discard(id);
	}
	edit(id: string, text: string) {
		this.session.edit(id, text);
	}
	remove(id: string) {
		this.session.remove(id);
	}
	react(id: string, emoji: string) {
		this.session.react(id, emoji);
	}
	keystroke() {
		this.session.keystroke();
	}
	loadOlder() {
		this.session.loadOlder();
	}
	dismissNotice() {
		this.session.lastError = null;
		this.notice = null;
		this.sync();
	}

	close() {
		clearTimeout(this.typingTimer);
		clearTimeout(this.waitingTimer);
		this.heartbeat?.stop();
		this.socket?.close();
		this.socket = null;
	}

	private connect() {
		const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
		const base = `${protocol}//${location.host}/chat/${encodeURIComponent(this.roomId)}/ws`;
		// The URL is re-read on every reconnect, so it always carries the newest resume point.
		const socket = new ReconnectingSocket(() => this.session.socketUrl(base), undefined, {
			// partysocket's own send queue would replay frames before our ordered outbox; we keep our own.
			maxEnqueuedMessages: 0,
			minReconnectionDelay: 500,
			maxReconnectionDelay: 5_000
		});
		socket.binaryType = 'arraybuffer';
		// A half-open connection would keep showing "connected" (and us online); drop it and reconnect.
		const heartbeat = new Heartbeat(
			() => socket.send(PING),
			() => socket.reconnect(undefined, 'No heartbeat answer.')
		);
		this.heartbeat = heartbeat;
		socket.addEventListener('open', () => {
			this.status = 'connected';
			heartbeat.start();
			// The codec returns a fresh copy (never a view of WASM memory), backed by a plain ArrayBuffer.
			this.session.opened((bytes) => socket.send(bytes as Uint8Array<ArrayBuffer>));
		});
		socket.addEventListener('message', (event: MessageEvent) => {
			// Chat frames are binary; the one text frame is the heartbeat's answer, never for the codec.
			if (event.data instanceof ArrayBuffer) this.session.received(event.data);
			else if (event.data === PONG) heartbeat.pong();
		});
		socket.addEventListener('close', (event: CloseEvent) => {
			heartbeat.stop();
			this.session.closed();
			if (event.code === POLICY_CLOSE) {
				this.status = 'closed';
				this.notice = event.reason || 'You can no longer use this room.';
				socket.close();
				return;
			}
			if (this.socket) this.status = 'reconnecting';
		});
		this.socket = socket;
	}

	/** Copies the session into runes; schedules a refresh for when the next typing indicator expires. */
	private sync() {
		const s = this.session;
		this.messages = s.ordered();
		// The session updates an item's state in place; fresh objects let the keyed list see the change.
		this.pending = s.pending().map((item) => ({ ...item }));
		this.online = s.online;
		this.hasMore = s.hasMore;
		this.loadingOlder = s.loadingOlder;
		if (s.lastError) this.notice = s.lastError.message;
		const now = Date.now();
		this.typing = s.typingNow(now);
		clearTimeout(this.typingTimer);
		if (this.typing.length > 0) {
			const next = Math.min(...this.typing.map((t) => t.until)) - now;
			this.typingTimer = setTimeout(() => this.sync(), Math.max(50, next));
		}
		this.showWaiting();
		saveOutbox(this.storageKey, s.outbox);
	}

	/** Mirrors the session's rate-limit wait, counting down once a second while it lasts. */
	private showWaiting() {
		const wait = this.session.queueWait();
		this.waiting = wait && { count: wait.count, seconds: Math.max(1, Math.ceil(wait.ms / 1000)) };
		clearTimeout(this.waitingTimer);
		if (wait) this.waitingTimer = setTimeout(() => this.showWaiting(), 1_000);
	}
}

function restoreOutbox(key: string): OutboxItem[] {
	try {
		const raw = localStorage.getItem(key);
		if (!raw) return [];
		const items = JSON.parse(raw) as OutboxItem[];
		return Array.isArray(items)
			? items
					.filter((i) => typeof i?.id === 'string' && typeof i.text === 'string')
					.map((i) => ({ ...i, state: i.state === 'failed' ? 'failed' : 'queued' }))
			: [];
	} catch {
		return [];
	}
}

function saveOutbox(key: string, items: OutboxItem[]) {
	try {
		if (items.length === 0) localStorage.removeItem(key);
		else localStorage.setItem(key, JSON.stringify(items));
	} catch {
		// Storage full or disabled: the outbox still works for this page's lifetime.
	}
}
