import type { ChatMessage, ChatUser, ClientPayload, ClientRequestName, ServerEvent } from '$lib/protocol/chat';
import { CHAT_PAGE_SIZE, CHAT_TYPING_SIGNAL_INTERVAL_MS } from '$lib/protocol/chat-limits';
import { decodeEvent, encodeRequest, WireError, type FrameCodec } from '$lib/protocol/chat-wire';

/** A message the user wrote that the room has not confirmed yet. */
export interface OutboxItem {
	id: string;
	text: string;
	createdAt: number;
	/** queued: waiting for a connection; sending: on the wire, no ack yet; failed: refused, needs a retry. */
	state: 'queued' | 'sending' | 'failed';
	error?: string;
}

export interface TypingUser {
	id: string;
	name: string;
	until: number;
}

/**
 * The client half of the chat protocol, independent of the socket library so the browser (partysocket)
 * and the reconnect tests (raw sockets) run the very same logic:
 *
 * - holds the room's messages by seq and the highest change `rev` applied, which the next connection
 *   sends as `?since=` so the room replays exactly what was missed (in rev order, no gap, no duplicate);
 * - keeps an outbox of unconfirmed sends (with client-generated ids) and sends it again, in order, on
 *   every (re)connect; the room recognises ids it has stored, so each message lands once;
 * - tracks presence, typing (expiring locally) and the scroll-back cursor.
 */
export class ChatSession {
	readonly messages = new Map<number, ChatMessage>();
	private readonly seqById = new Map<string, number>();
	outbox: OutboxItem[] = [];
	online: ChatUser[] = [];
	typing = new Map<string, TypingUser>();
	/** The newest change applied; null until the first page arrived. */
	rev: number | null = null;
	hasMore = false;
	loadingOlder = false;
	connected = false;
	lastError: { code: string; message: string } | null = null;

	private requestSeq = 0;
	private lastTypingSignal = 0;
	private transport: ((bytes: Uint8Array) => void) | null = null;

	constructor(
		private readonly codec: FrameCodec,
		readonly me: ChatUser,
		/** Called after every change to the state above (the UI re-reads it). */
		private readonly onChange: () => void = () => {},
		private readonly newId: () => string = () => crypto.randomUUID()
	) {}

	// ---- connection lifecycle -----------------------------------------------------------------------

	/** The socket URL for the next (re)connect: resumes after the newest change this client holds. */
	socketUrl(base: string): string {
		return this.rev === null ? base : `${base}?since=${this.rev}`;
	}

	/** The socket opened: everything unconfirmed goes out again, oldest first. */
	opened(send: (bytes: Uint8Array) => void) {
		this.transport = send;
		this.connected = true;
		for (const item of this.outbox) {
			if (item.state === 'failed') continue;
			item.state = 'sending';
			this.request('send', { id: item.id, text: item.text });
		}
		this.onChange();
	}

	closed() {
		this.transport = null;
		this.connected = false;
		this.loadingOlder = false;
		for (const item of this.outbox) if (item.state === 'sending') item.state = 'queued';
		this.onChange();
	}

	/** Feeds one binary frame from the socket. Frames that do not decode are reported, not applied. */
	received(bytes: ArrayBuffer | Uint8Array, now = Date.now()) {
		let event: ServerEvent;
		try {
			event = decodeEvent(this.codec, bytes);
		} catch (error) {
			if (!(error instanceof WireError)) throw error;
			this.lastError = { code: error.code, message: error.message };
			this.onChange();
			return;
		}
		this.apply(event, now);
		this.onChange();
	}

	// ---- user actions -------------------------------------------------------------------------------

	/** Queues a message; it is sent now if connected, else on the next connect. Returns its id. */
	send(text: string, now = Date.now()): string {
		const item: OutboxItem = { id: this.newId(), text, createdAt: now, state: 'queued' };
		this.outbox.push(item);
		if (this.transport) {
			item.state = 'sending';
			this.request('send', { id: item.id, text });
		}
		this.onChange();
		return item.id;
	}

	retry(id: string) {
		const item = this.outbox.find((i) => i.id === id);
		if (!item || item.state !== 'failed') return;
		item.state = this.transport ? 'sending' : 'queued';
		item.error = undefined;
		if (this.transport) this.request('send', { id: item.id, text: item.text });
		this.onChange();
	}

	discard(id: string) {
		this.outbox = this.outbox.filter((i) => i.id !== id);
		this.onChange();
	}

	edit(id: string, text: string) {
		return this.request('edit', { id, text });
	}

	remove(id: string) {
		return this.request('delete', { id });
	}

	react(id: string, emoji: string) {
		return this.request('react', { id, emoji });
	}

	/** Call on every keystroke; sends at most one typing signal per interval. */
	keystroke(now = Date.now()) {
		if (now - this.lastTypingSignal < CHAT_TYPING_SIGNAL_INTERVAL_MS) return;
		if (this.request('typing', {})) this.lastTypingSignal = now;
	}

	/** Asks for the page before the oldest message held. */
	loadOlder(limit = CHAT_PAGE_SIZE) {
		const oldest = this.oldestSeq();
		if (!this.hasMore || this.loadingOlder || oldest === null) return false;
		this.loadingOlder = this.request('history', { before: oldest, limit });
		this.onChange();
		return this.loadingOlder;
	}

	// ---- views ----------------------------------------------------------------------------------------

	/** Messages in room order. */
	ordered(): ChatMessage[] {
		return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
	}

	/** Outbox items the room has not stored yet (an acked one can linger until its event arrives). */
	pending(): OutboxItem[] {
		return this.outbox.filter((i) => !this.seqById.has(i.id));
	}

	typingNow(now = Date.now()): TypingUser[] {
		return [...this.typing.values()].filter((t) => t.until > now && t.id !== this.me.id);
	}

	oldestSeq(): number | null {
		let oldest: number | null = null;
		for (const seq of this.messages.keys()) if (oldest === null || seq < oldest) oldest = seq;
		return oldest;
	}

	// ---- internals ----------------------------------------------------------------------------------

	private request<K extends ClientRequestName>(type: K, payload: ClientPayload<K>): boolean {
		if (!this.transport) return false;
		this.requestSeq = (this.requestSeq + 1) >>> 0;
		this.transport(encodeRequest(this.codec, type, this.requestSeq, payload));
		return true;
	}

	private apply(event: ServerEvent, now: number) {
		switch (event.type) {
			case 'message':
			case 'edit':
			case 'delete':
			case 'react':
				this.upsert(event.payload, true);
				return;
			case 'ack': {
				// Stored (now or earlier); the message itself arrives as an event or in the catch-up.
				this.outbox = this.outbox.filter((i) => i.id !== event.payload.id);
				return;
			}
			case 'history': {
				const { kind, messages, hasMore, rev } = event.payload;
				if (kind === 'latest' || kind === 'reset') {
					this.messages.clear();
					this.seqById.clear();
					for (const m of messages) this.upsert(m, false);
					this.rev = rev;
					this.hasMore = hasMore;
				} else if (kind === 'catchup') {
					// In rev order: advancing `rev` per message keeps the resume point exact even if the
					// connection drops between two catch-up frames.
					for (const m of messages) this.upsert(m, true);
				} else {
					for (const m of messages) this.upsert(m, false);
					this.hasMore = hasMore;
					this.loadingOlder = false;
				}
				this.outbox = this.outbox.filter((i) => !this.seqById.has(i.id));
				return;
			}
			case 'presence':
				this.online = event.payload.online;
				return;
			case 'typing': {
				this.typing = new Map(event.payload.users.map((u) => [u.id, { id: u.id, name: u.name, until: now + u.ms }]));
				return;
			}
			case 'error': {
				const { code, message, id } = event.payload;
				const item = id ? this.outbox.find((i) => i.id === id) : undefined;
				if (item) {
					item.state = 'failed';
					item.error = message;
				} else {
					this.lastError = { code, message };
				}
				if (code === 'bad-payload' || code === 'bad-frame') this.loadingOlder = false;
				return;
			}
		}
	}

	/** Keeps the newest version of each message; live changes also advance the resume point. */
	private upsert(message: ChatMessage, advancesRev: boolean) {
		const held = this.messages.get(message.seq);
		if (!held || held.rev < message.rev) {
			this.messages.set(message.seq, message);
			this.seqById.set(message.id, message.seq);
		}
		if (message.user.id === this.me.id) this.outbox = this.outbox.filter((i) => i.id !== message.id);
		if (message.user.id !== this.me.id && this.typing.has(message.user.id)) this.typing.delete(message.user.id);
		if (advancesRev && (this.rev === null || message.rev > this.rev)) this.rev = message.rev;
	}
}
