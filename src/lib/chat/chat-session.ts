import type { ClientKind, ClientPayload, ServerMessage, ServerMessageOf } from '$lib/protocol/channel';
import type { ChatChannel, ChatCursor, ChatMessage, ChatUser } from '$lib/protocol/chat';
import {
	CHAT_HISTORY_BURST,
	CHAT_PAGE_MAX,
	CHAT_PAGE_SIZE,
	CHAT_TYPING_SIGNAL_INTERVAL_MS
} from '$lib/protocol/chat-limits';
import { randomMessageId } from '$lib/random-id';
import { RoomAuthors } from './room-authors';

/** A message the user wrote that the room has not confirmed yet. */
export interface OutboxItem {
	id: string;
	text: string;
	createdAt: number;
	/** queued: waiting its turn (connection, rate limit, the one ahead); sending: on the wire, no answer yet; failed: refused for good, needs a retry. */
	state: 'queued' | 'sending' | 'failed';
	error?: string;
}

/**
 * How the session sends: one request of the chat channel with its request number. Returns false when the
 * socket is not open (nothing went out). The browser passes openChannel's `send`; tests pass a raw socket
 * encoding with the channel's ChannelWire.
 */
export type ChatTransport = <N extends ClientKind<ChatChannel>>(
	type: N,
	payload: ClientPayload<ChatChannel, N>,
	seq: number
) => boolean;

type ChatServerMessage = ServerMessage<ChatChannel>;

/**
 * A jump to one message (from search): `loading` while scroll-back pages towards it, `found` once it is
 * held, `missing` when the room's history has no such message (deleted rooms, a bad link), `too-far` when
 * it lies further back than one jump pages (the reader can keep scrolling up).
 */
export interface Jump {
	seq: number;
	state: 'loading' | 'found' | 'missing' | 'too-far';
}

/**
 * Pages one jump may load: the history budget's burst (CHAT_HISTORY_BURST), so a jump never waits on the
 * rate limit, of CHAT_PAGE_MAX messages each — 2,000 messages back at once.
 */
export const JUMP_PAGES_MAX = CHAT_HISTORY_BURST;

export interface TypingUser {
	id: string;
	name: string;
	until: number;
}

/**
 * The client half of the chat protocol, independent of the socket library and of the wire (it gets
 * decoded, validated messages and a transport), so the browser (openChannel over partysocket) and the
 * reconnect tests (raw sockets) run the very same logic:
 *
 * - holds the room's messages by seq and the highest change `rev` applied, which the next connection
 *   sends as `?since=` so the room replays exactly what was missed (in rev order, no gap, no duplicate);
 * - keeps an outbox of unconfirmed sends (with client-generated ids) and sends it strictly in order, one
 *   on the wire at a time (see `pump`); the room recognises ids it has stored, so a resend after a lost
 *   ack or a reload lands once; a send the rate limit refuses waits the room's `retryAfterMs` and goes
 *   again, still first in line, while `queueWait` says how many wait and for about how long;
 * - matches error frames to the request they answer (by frame seq), so a refused send or history
 *   request is settled even when the room could not read its message id;
 * - names authors: the socket carries messages with the room's author numbers (chat-wire.ts), and the
 *   session keeps every author the room described (presence, history pages, `authors`) to show each
 *   message as a ChatMessage with its user;
 * - tracks presence, typing (expiring locally) and the scroll-back window: every message from
 *   `windowStart` on is held, and changes to older messages are not taken in (they would open a gap
 *   that scroll-back, which asks for messages before the oldest held, would jump over).
 */
export class ChatSession {
	readonly messages = new Map<number, ChatMessage>();
	private readonly seqById = new Map<string, number>();
	outbox: OutboxItem[] = [];
	/** Everyone online, once per person, by name. */
	online: ChatUser[] = [];
	typing = new Map<string, TypingUser>();
	/** The newest change applied; null until the first page arrived. */
	rev: number | null = null;
	hasMore = false;
	loadingOlder = false;
	connected = false;
	lastError: { code: string; message: string } | null = null;
	/** The person's read cursor here, as the room last said (null until the first `cursor` after join). */
	cursor: ChatCursor | null = null;
	/** The current jump to a message, if any (see `jumpTo`). */
	jump: Jump | null = null;

	private requestSeq = 0;
	/** Who the room's author numbers are, and who is online. */
	private readonly authors = new RoomAuthors();
	/** The highest seq this client has asked to mark read: sent again on reconnect if the room missed it. */
	private readWanted = 0;
	private jumpPages = 0;
	private lastTypingSignal = 0;
	private transport: ChatTransport | null = null;
	/** The lowest seq of the contiguous window held (set by latest/reset/older pages); null: none yet. */
	private windowStart: number | null = null;
	/** Scroll-back requests on the wire, by frame seq, so an error frame finds its request. */
	private readonly awaitingHistory = new Set<number>();
	/** The one send on the wire (its frame seq, which its message frame or error echoes), or null. */
	private inFlight: { seq: number; id: string } | null = null;
	/**
	 * While the room's rate limit holds the queue back: when the first in line may go again, and how often
	 * the budget allows one more after that (from the error frame). Cleared when the queue is empty.
	 */
	private limited: { nextAt: number; everyMs: number } | null = null;
	private limitTimer: ReturnType<typeof setTimeout> | undefined;

	constructor(
		readonly me: ChatUser,
		/** Called after every change to the state above (the UI re-reads it). */
		private readonly onChange: () => void = () => {},
		private readonly newId: () => string = () => randomMessageId()
	) {}

	// ---- connection lifecycle -----------------------------------------------------------------------

	/** The socket path for the next (re)connect: resumes after the newest change this client holds. */
	socketPath(base: string): string {
		return this.rev === null ? base : `${base}?since=${this.rev}`;
	}

	/** The socket opened: everything unconfirmed goes out again, oldest first. */
	opened(send: ChatTransport) {
		this.transport = send;
		this.connected = true;
		this.pump();
		if (this.readWanted > 0) this.request('read', { seq: this.readWanted });
		this.onChange();
	}

	closed() {
		this.transport = null;
		this.connected = false;
		this.loadingOlder = false;
		// Nothing sent on that socket will be answered now; the outbox goes out again on the next one
		// (a send that did land is recognised by its id and only acked).
		this.awaitingHistory.clear();
		this.inFlight = null;
		clearTimeout(this.limitTimer);
		this.limitTimer = undefined;
		for (const item of this.outbox) if (item.state === 'sending') item.state = 'queued';
		this.onChange();
	}

	/** One message from the room, already decoded and validated against the chat channel. */
	received(message: ChatServerMessage, now = Date.now()) {
		this.apply(message, now);
		this.onChange();
	}

	/** A frame that failed decoding or validation: reported, never applied. */
	invalid(error: { code: string; message: string }) {
		this.lastError = { code: error.code, message: error.message };
		this.onChange();
	}

	// ---- user actions -------------------------------------------------------------------------------

	/** Queues a message at the end of the line; it goes out when everything before it has. Returns its id. */
	send(text: string, now = Date.now()): string {
		const item: OutboxItem = { id: this.newId(), text, createdAt: now, state: 'queued' };
		this.outbox.push(item);
		this.pump();
		this.onChange();
		return item.id;
	}

	/** Puts a failed message back in the queue, in its original place among what is still unsent. */
	retry(id: string) {
		const item = this.outbox.find((i) => i.id === id);
		if (!item || item.state !== 'failed') return;
		item.state = 'queued';
		item.error = undefined;
		this.pump();
		this.onChange();
	}

	discard(id: string) {
		this.outbox = this.outbox.filter((i) => i.id !== id);
		this.onChange();
	}

	edit(id: string, text: string) {
		return this.request('edit', { id, text }) > 0;
	}

	remove(id: string) {
		return this.request('delete', { id }) > 0;
	}

	react(id: string, emoji: string) {
		return this.request('react', { id, emoji }) > 0;
	}

	/** Call on every keystroke; sends at most one typing signal per interval. */
	keystroke(now = Date.now()) {
		if (now - this.lastTypingSignal < CHAT_TYPING_SIGNAL_INTERVAL_MS) return;
		if (this.request('typing', {})) this.lastTypingSignal = now;
	}

	/**
	 * The reader has seen every message up to `seq`: moves the read cursor (the room keeps it monotonic
	 * and clamps it; this only skips asking for what is already read). Callers debounce.
	 */
	markRead(seq: number) {
		if (seq <= Math.max(this.readWanted, this.cursor?.seq ?? 0)) return;
		this.readWanted = seq;
		this.request('read', { seq });
	}

	/** Asks for the page before the oldest message held. */
	loadOlder(limit = CHAT_PAGE_SIZE) {
		const oldest = this.oldestSeq();
		if (!this.hasMore || this.loadingOlder || oldest === null) return false;
		const seq = this.request('history', { before: oldest, limit });
		if (seq) this.awaitingHistory.add(seq);
		this.loadingOlder = seq > 0;
		this.onChange();
		return this.loadingOlder;
	}

	/**
	 * Brings message `seq` into the window (a jump from search): scroll-back continues, CHAT_PAGE_MAX at a
	 * time and at most JUMP_PAGES_MAX pages, until the window reaches it; `jump` says how far it got.
	 * Works before the first page arrived too: it continues when the page comes.
	 */
	jumpTo(seq: number) {
		this.jump = { seq, state: 'loading' };
		this.jumpPages = 0;
		this.continueJump();
		this.onChange();
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

	/**
	 * While the rate limit holds sends back: how many messages still wait and about how long until the
	 * last of them goes out (the first one's retry-after, then one per refill interval); else null.
	 */
	queueWait(now = Date.now()): { count: number; ms: number } | null {
		if (!this.limited) return null;
		const count = this.outbox.filter((i) => i.state !== 'failed' && !this.seqById.has(i.id)).length;
		if (count === 0) return null;
		return { count, ms: Math.max(0, this.limited.nextAt - now) + (count - 1) * this.limited.everyMs };
	}

	typingNow(now = Date.now()): TypingUser[] {
		return [...this.typing.values()].filter((t) => t.until > now && t.id !== this.me.id);
	}

	/** Where scroll-back continues: the start of the contiguous window of messages held. */
	oldestSeq(): number | null {
		return this.windowStart;
	}

	// ---- internals ----------------------------------------------------------------------------------

	/** One more step of the jump, after each page: done, or the next page towards the target. */
	private continueJump() {
		const jump = this.jump;
		if (!jump || jump.state !== 'loading' || this.rev === null || this.loadingOlder) return;
		const oldest = this.windowStart;
		if (this.messages.has(jump.seq)) jump.state = 'found';
		else if (oldest === null || oldest < jump.seq || !this.hasMore) jump.state = 'missing';
		else if (this.jumpPages >= JUMP_PAGES_MAX) jump.state = 'too-far';
		else if (this.loadOlder(CHAT_PAGE_MAX)) this.jumpPages++;
		else jump.state = 'too-far'; // offline: the reader can retry the link
	}

	/** Sends a request; returns its frame seq (what the answer or error echoes), or 0 when offline. */
	private request<N extends ClientKind<ChatChannel>>(type: N, payload: ClientPayload<ChatChannel, N>): number {
		if (!this.transport) return 0;
		// Frame seqs are 1 … 2^32-1 (0 means "no request"), wrapping long before the codec's 2^48 limit.
		this.requestSeq = (this.requestSeq % 0xffff_ffff) + 1;
		return this.transport(type, payload, this.requestSeq) ? this.requestSeq : 0;
	}

	/**
	 * Sends the first queued message, if nothing is on the wire and the rate limit is not holding the
	 * queue. One at a time is what makes the order strict: with several on the wire, the room could refuse
	 * one for the rate limit and accept the next a moment later, when the budget has refilled just enough
	 * — that one would overtake. The room answers each send within a round trip, far faster than anyone
	 * types; past the budget the pace is the room's refill rate anyway.
	 */
	private pump() {
		if (!this.transport || this.inFlight || this.limitTimer) return;
		const next = this.outbox.find((i) => i.state === 'queued');
		if (!next) {
			this.limited = null;
			return;
		}
		const seq = this.request('send', { id: next.id, text: next.text });
		// Not sent (the socket is closing): it stays queued and goes out when the next socket opens.
		if (seq === 0) return;
		next.state = 'sending';
		this.inFlight = { seq, id: next.id };
	}

	/** The send on the wire got its answer: the next one may go (or wait for `limitTimer`). */
	private sendSettled() {
		this.inFlight = null;
		this.pump();
	}

	/** Holds the queue until the room's budget has a token again, then carries on in order. */
	private holdForRateLimit(retryAfterMs: number, everyMs: number | undefined) {
		this.limited = { nextAt: Date.now() + retryAfterMs, everyMs: everyMs ?? retryAfterMs };
		clearTimeout(this.limitTimer);
		this.limitTimer = setTimeout(() => {
			this.limitTimer = undefined;
			this.pump();
			this.onChange();
		}, retryAfterMs);
	}

	private settleError(event: ServerMessageOf<ChatChannel, 'error'>) {
		const { code, message, retryAfterMs, everyMs } = event.payload;
		if (this.awaitingHistory.delete(event.seq)) this.loadingOlder = false;
		const inFlight = this.inFlight;
		const answersSend =
			inFlight !== null && (inFlight.seq === event.seq || (event.seq === 0 && event.payload.ref === inFlight.id));
		const item = answersSend ? this.outbox.find((i) => i.id === inFlight.id) : undefined;
		if (answersSend && code === 'rate-limited') {
			// Not a failure: the same message goes again, first in line, once the budget allows.
			if (item) item.state = 'queued';
			this.holdForRateLimit(retryAfterMs ?? 1_000, everyMs);
		} else if (item) {
			// Refused for good (too long, forbidden, a server fault): the user decides, the queue goes on.
			item.state = 'failed';
			item.error = message;
		} else {
			this.lastError = { code, message };
		}
		if (answersSend) this.sendSettled();
		// An unreadable frame cannot name its request; a pending scroll-back may have been it.
		if (code === 'bad-frame' && event.seq === 0) this.loadingOlder = false;
		// A refused scroll-back ends a jump where it got to, rather than asking again at once.
		if (this.jump?.state === 'loading' && !this.loadingOlder) this.jump.state = 'too-far';
	}

	private apply(event: ChatServerMessage, now: number) {
		switch (event.type) {
			case 'message':
			case 'edit':
			case 'delete':
			case 'react':
				this.upsert(this.authors.message(event.payload), true);
				// The sender's copy of a new message answers its send (frame seq = the request's).
				if (event.type === 'message' && event.seq !== 0 && this.inFlight?.seq === event.seq) {
					// Stored (now or earlier): the outbox lets go of it.
					const id = this.inFlight.id;
					this.outbox = this.outbox.filter((i) => i.id !== id);
					this.sendSettled();
				}
				return;
			case 'messages': {
				// A busy room's batch, sent once its rows committed: our own message in it answers our send.
				const inFlight = this.inFlight;
				let answered = false;
				for (const entry of event.payload) {
					const message = this.authors.message(entry);
					this.upsert(message, true);
					if (inFlight && message.id === inFlight.id && message.user.id === this.me.id) answered = true;
				}
				if (answered) this.sendSettled();
				return;
			}
			case 'authors':
				this.authors.learn(event.payload.authors);
				return;
			case 'history': {
				const { kind, hasMore, rev } = event.payload;
				this.authors.learn(event.payload.authors);
				const messages = event.payload.messages.map((m) => this.authors.message(m));
				if (kind === 'latest' || kind === 'reset') {
					this.messages.clear();
					this.seqById.clear();
					this.windowStart = messages[0]?.seq ?? null;
					for (const m of messages) this.upsert(m, false);
					this.rev = rev;
					this.hasMore = hasMore;
				} else if (kind === 'catchup') {
					// In rev order: advancing `rev` per message keeps the resume point exact even if the
					// connection drops between two catch-up frames.
					for (const m of messages) this.upsert(m, true);
				} else {
					this.awaitingHistory.delete(event.seq);
					const first = messages[0]?.seq;
					if (first !== undefined && (this.windowStart === null || first < this.windowStart)) this.windowStart = first;
					for (const m of messages) this.upsert(m, false);
					this.hasMore = hasMore;
					this.loadingOlder = false;
				}
				this.outbox = this.outbox.filter((i) => !this.seqById.has(i.id));
				this.continueJump();
				return;
			}
			case 'presence':
				this.authors.presence(event.payload);
				this.online = this.authors.onlineUsers();
				return;
			case 'cursor':
				// Forward only: an answer to an older request cannot undo a newer move from another tab.
				if (!this.cursor || event.payload.seq >= this.cursor.seq) this.cursor = event.payload;
				return;
			case 'typing': {
				this.typing = new Map(event.payload.users.map((u) => [u.id, { id: u.id, name: u.name, until: now + u.ms }]));
				return;
			}
			case 'error':
				this.settleError(event);
				return;
		}
	}

	/**
	 * Keeps the newest version of each message; live changes also advance the resume point. A change to a
	 * message below the window that is not held is skipped (scroll-back will bring its current state).
	 */
	private upsert(message: ChatMessage, advancesRev: boolean) {
		const held = this.messages.get(message.seq);
		const belowWindow = !held && this.windowStart !== null && message.seq < this.windowStart;
		if (belowWindow) {
			// Still a change this client has seen: resume after it, or the room would replay it forever.
			if (advancesRev && (this.rev === null || message.rev > this.rev)) this.rev = message.rev;
			return;
		}
		if (!held || held.rev < message.rev) {
			// Another id at a held seq: what was shown there early was taken back by a crash (ChatRoom.doSend).
			if (held && held.id !== message.id) this.seqById.delete(held.id);
			this.messages.set(message.seq, message);
			this.seqById.set(message.id, message.seq);
		}
		if (message.user.id === this.me.id) this.outbox = this.outbox.filter((i) => i.id !== message.id);
		if (message.user.id !== this.me.id && this.typing.has(message.user.id)) this.typing.delete(message.user.id);
		if (advancesRev && (this.rev === null || message.rev > this.rev)) this.rev = message.rev;
	}
}
