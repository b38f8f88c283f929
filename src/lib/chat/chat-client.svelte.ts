import { chatChannel, type ChatChannel, type ChatCursor, type ChatMessage, type ChatUser } from '$lib/protocol/chat';
import { CHAT_READ_DEBOUNCE_MS } from '$lib/protocol/chat-unread-limits';
import type { ConnectionStatus } from '$lib/realtime/connection-status.svelte';
import { openChannel, type ChannelHandle } from '$lib/realtime/open-channel.svelte';
import { ChatSession, type Jump, type OutboxItem, type TypingUser } from './chat-session';

/**
 * The browser's chat connection: a ChatSession (protocol, outbox, resume point) on the shared
 * openChannel() socket (reconnects, heartbeat, frame validation, final close codes, one connection
 * status), with the session's state mirrored into runes for the components. Unconfirmed sends are also
 * kept in localStorage, so a message written offline survives a reload and is still sent exactly once
 * (the room deduplicates by id).
 */
export class ChatClient {
	messages: ChatMessage[] = $state.raw([]);
	pending: OutboxItem[] = $state.raw([]);
	online: ChatUser[] = $state.raw([]);
	typing: TypingUser[] = $state.raw([]);
	hasMore = $state(false);
	loadingOlder = $state(false);
	notice: string | null = $state(null);
	/** A jump to a message (search's "open in room"), while it loads and once it landed. */
	jump: Jump | null = $state.raw(null);
	/** While the rate limit holds the outbox: how many messages wait and about how many seconds it takes. */
	waiting: { count: number; seconds: number } | null = $state(null);
	/** The person's read cursor and what is unread after it (the room's word, kept current). */
	cursor: ChatCursor | null = $state.raw(null);
	/**
	 * Where the "new messages" divider goes: the cursor when this visit began, if anything by others was
	 * unread then (null: nothing was; undefined: not known yet). It stays put while the person reads.
	 */
	unreadAfter: number | null | undefined = $state(undefined);

	private channel: ChannelHandle<ChatChannel> | null = null;
	private typingTimer: ReturnType<typeof setTimeout> | undefined;
	private waitingTimer: ReturnType<typeof setTimeout> | undefined;
	private readTimer: ReturnType<typeof setTimeout> | undefined;
	private readUpTo = 0;
	private readonly session: ChatSession;
	private readonly storageKey: string;

	private constructor(
		readonly roomId: string,
		readonly me: ChatUser
	) {
		this.storageKey = `murmur.chat.outbox.${roomId}.${me.id}`;
		this.session = new ChatSession(me, () => this.sync());
		this.session.outbox = restoreOutbox(this.storageKey);
	}

	/** Opens the room's channel (which loads the codec first, so no frame is handled without it). */
	static async open(roomId: string, me: ChatUser): Promise<ChatClient> {
		const client = new ChatClient(roomId, me);
		client.sync();
		const base = `/chat/${encodeURIComponent(roomId)}/ws`;
		const session = client.session;
		client.channel = await openChannel({
			channel: chatChannel,
			// Re-read on every reconnect, so it always carries the newest resume point.
			path: () => session.socketPath(base),
			onMessage: (message) => session.received(message),
			// The first open is a network event, so it comes after `client.channel` is set below.
			onOpen: () => session.opened((type, payload, seq) => client.channel?.send(type, payload, seq) ?? false),
			onClose: ({ final, reason }) => {
				session.closed();
				// A final close (e.g. 1008: you left the room) is not retried: say why where the chat was.
				if (final) client.notice = reason || 'You can no longer use this room.';
			},
			onInvalid: (error) => session.invalid(error)
		});
		return client;
	}

	/** The socket's state, shown by ConnectionBadge. */
	get status(): ConnectionStatus | null {
		return this.channel?.status ?? null;
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
	/**
	 * Every message up to `seq` has been on screen in a focused tab: the cursor follows, at most one
	 * request per CHAT_READ_DEBOUNCE_MS however fast the reader scrolls.
	 */
	markRead(seq: number) {
		this.readUpTo = Math.max(this.readUpTo, seq);
		this.readTimer ??= setTimeout(() => {
			this.readTimer = undefined;
			this.session.markRead(this.readUpTo);
		}, CHAT_READ_DEBOUNCE_MS);
	}
	jumpTo(seq: number) {
		this.session.jumpTo(seq);
	}
	dismissNotice() {
		this.session.lastError = null;
		this.notice = null;
		this.sync();
	}

	close() {
		clearTimeout(this.typingTimer);
		clearTimeout(this.waitingTimer);
		// Reading that has not gone out yet still counts: send it now, while the socket is open.
		if (this.readTimer) this.session.markRead(this.readUpTo);
		clearTimeout(this.readTimer);
		this.channel?.close();
		this.channel = null;
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
		if (s.cursor !== this.cursor) {
			this.cursor = s.cursor;
			if (this.unreadAfter === undefined && s.cursor) this.unreadAfter = s.cursor.unread > 0 ? s.cursor.seq : null;
		}
		this.jump = s.jump && { ...s.jump };
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
