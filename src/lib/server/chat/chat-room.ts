import type { ClientMessage } from '$lib/protocol/channel';
import { chatChannel, type ChatChannel, type ChatErrorCode, type ChatMessage, type ChatUser } from '$lib/protocol/chat';
import { entryWire, type ChatEntryWire } from '$lib/protocol/chat-wire';
import {
	CHAT_HISTORY_BURST,
	CHAT_HISTORY_WINDOW_MS,
	CHAT_LIVE_BATCH_MAX,
	CHAT_PAGE_SIZE,
	CHAT_RATE_BURST,
	CHAT_RATE_WINDOW_MS
} from '$lib/protocol/chat-limits';
import { CHAT_READ_BURST, CHAT_READ_WINDOW_MS } from '$lib/protocol/chat-unread-limits';
import { CloseCode } from '$lib/protocol/close-codes';
import { apiError } from '$lib/server/api-error';
import { log } from '$lib/server/log';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { RealtimeObject, type BaseAttachment } from '$lib/server/realtime/realtime-object';
import { MemoryTokenBuckets, TokenBuckets, type BucketLimit } from '$lib/server/realtime/token-bucket';
import { ChatStore, ChatStoreError } from './chat-store';
import { LiveBatch } from './live-batch';
import { RoomHistory } from './room-history';
import { RoomIdentity } from './room-identity';
import { HISTORY_LIMIT, parseRateLimit, RateLimited } from './room-limits';
import { d1Access, RoomMembership, type Admission } from './room-membership';
import { RoomPresence } from './room-presence';
import { RoomTyping } from './room-typing';
import { RoomUnread } from './room-unread';
import { chatIndexMessage } from './search/index-message';
import { IndexOutbox } from './search/index-outbox';

export { parseRateLimit } from './room-limits';

const NO_SUCH_ROOM: Admission = { ok: false, status: 404, code: 'not-found', message: 'No such room.' };

interface ChatAttachment extends BaseAttachment {
	user: ChatUser;
	/** The room's number for `user` as it is now (chat-wire.ts): how its messages and presence name it. */
	author: number;
	/** The rev the client resumes from (`?since=`), or null for a first join. */
	since: number | null;
	/** Until when this socket's user shows as typing (0: not typing). Lives here so it survives hibernation. */
	typingUntil: number;
	/** When the person joined the room (ms, from its membership): where a first cursor starts. */
	joinedAt: number;
}

export type ChatResult<T> =
	({ ok: true } & T) | { ok: false; code: ChatErrorCode; message: string; retryAfterMs?: number };

/**
 * One chat room (named by its D1 room id). Owns the room's messages and reactions in its SQLite
 * (ChatStore), assigns their sequence numbers, and fans every change out to the room's sockets as frames
 * of the chat channel (chatChannel). Presence and typing are read from socket attachments, so both are
 * right again the moment the object wakes from hibernation. The worker checks access before a socket or
 * RPC call reaches here: sockets and every write need membership; reading history (`historyPage`, REST
 * GET) needs only access to the room, so anyone signed in may read a public room without joining it.
 */
export class ChatRoom extends RealtimeObject<ChatChannel, ChatAttachment> {
	/** The per-user send budget (CHAT_RATE_LIMIT overrides); public so a test can raise it for a load scenario. */
	rateLimit: BucketLimit;

	/** Who is typing (in the sockets' attachments, which survive hibernation; cached by user). */
	private readonly typing = new RoomTyping({
		sockets: () => this.sockets(),
		socketsOf: (userId) => this.socketsOf({ kind: 'user', id: userId }),
		typingOf: (ws) => this.attachment(ws),
		setTypingUntil: (ws, typingUntil) => {
			const a = this.attachment(ws);
			if (a) this.setAttachment(ws, { ...a, typingUntil });
		},
		broadcast: (typing, except) => this.broadcast('typing', typing, { except })
	});
	private readonly store: ChatStore;
	/**
	 * The send budget (sends, edits, deletes, reactions), in memory: a take costs no write in front of the
	 * broadcast. What that means across eviction: see MemoryTokenBuckets.
	 */
	private readonly buckets = new MemoryTokenBuckets();
	/** Scroll-back has its own table: TokenBuckets prunes a table by one limit. */
	private readonly historyBuckets: TokenBuckets;
	/** Read cursors, unread and mention counts (room-unread.ts). */
	readonly unread: RoomUnread;
	/** Every stored, edited and deleted message, on its way to the search index (CHAT_INDEX queue). */
	private readonly index: IndexOutbox;
	/** The D1 room id (the object's name), so the index can say whose message it is. */
	private readonly room: RoomIdentity;
	/** Who may open a socket here: D1 asked once per person, then remembered until they leave. */
	private readonly membership = new RoomMembership();
	/** Who is online, by author, kept as sockets open and close (rebuilt from attachments after a wake-up). */
	private readonly presence = new RoomPresence({
		everySocketAuthor: () => this.socketAuthors(),
		openSocketsOf: (author) => this.sockets(authorTag(author)).length,
		announce: (change, except) =>
			this.broadcast('presence', 'joined' in change ? { joined: this.store.authors.wire(change.joined) } : change, {
				except
			}),
		encodeOnline: (authors) =>
			this.wire.encodeServer('presence', { online: authors.map((n) => this.store.authors.wire(n)) })
	});
	/**
	 * Authors described by an `authors` frame to every socket open now (posters not online, over REST);
	 * cleared when a socket opens, as it has not seen those frames.
	 */
	private readonly announced = new Set<number>();
	/**
	 * New messages that come faster than the room sends them, one `messages` frame per socket for several.
	 * Public so a test can stretch its turn and make a room gather without a thousand sockets.
	 */
	readonly live = new LiveBatch<ChatEntryWire>((entries) => this.broadcast('messages', entries), CHAT_LIVE_BATCH_MAX);
	/** What a socket gets of the history: when it opens (the latest page cached per rev), and scrolling up. */
	private readonly history: RoomHistory;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env, chatChannel);
		this.rateLimit = parseRateLimit(env.CHAT_RATE_LIMIT) ?? { burst: CHAT_RATE_BURST, windowMs: CHAT_RATE_WINDOW_MS };
		// SQLite calls are synchronous, so the store is ready before the first event (the base class holds
		// events back until its codec has loaded).
		this.store = new ChatStore(ctx.storage);
		this.history = new RoomHistory(this.store);
		this.historyBuckets = new TokenBuckets(ctx.storage, 'history_buckets');
		this.room = new RoomIdentity(ctx.storage, ctx.id, env.CHAT_ROOM);
		this.index = new IndexOutbox(ctx.storage, env.CHAT_INDEX, (promise) => ctx.waitUntil(promise));
		const room = this.room;
		this.unread = new RoomUnread({
			// The D1 room id as RoomIdentity knows it (ctx.id.name is empty through the Pages shape's binding).
			get roomId() {
				return room.get() ?? '';
			},
			store: this.store,
			env,
			storage: ctx.storage,
			waitUntil: (promise) => ctx.waitUntil(promise)
		});
	}

	/** The only alarm of a room: the index outbox's retry and safety net. */
	async alarm() {
		await this.index.alarm();
	}

	// ---- RPC for the REST API (same rules, same broadcast) ------------------------------------------

	/** `roomId`: this room's D1 id, as chatRoomStub named it (see RoomIdentity); optional for older callers. */
	async postMessage(
		user: ChatUser,
		id: string,
		text: string,
		roomId?: string
	): Promise<ChatResult<{ message: ChatMessage; duplicate: boolean }>> {
		this.room.learn(roomId);
		return this.asResult(() => this.doSend(user, id, text));
	}

	/** Toggles, or sets the reaction to `on` when given (idempotent for REST PUT). */
	async react(user: ChatUser, id: string, emoji: string, on?: boolean): Promise<ChatResult<{ message: ChatMessage }>> {
		return this.asResult(() => ({ message: this.doReact(user, id, emoji, on) }));
	}

	/** One person's summary of this room for their room list (unread, mentions, preview); no D1. */
	async summary(userId: string, joinedAt: number, roomId?: string) {
		this.room.learn(roomId);
		return this.unread.summary(userId, joinedAt);
	}

	/** The person's inbox follows this room (ChatInbox, while a chat page of theirs is open). */
	async watch(userId: string, joinedAt: number, roomId?: string) {
		this.room.learn(roomId);
		return this.unread.watch(userId, joinedAt);
	}

	/** REST's page (ChatMessage, with users): the socket's pages are the compact `history` frames. */
	async historyPage(before: number | undefined, limit: number) {
		return { ...this.store.page(before, limit), rev: this.store.rev };
	}

	/**
	 * May this person open a socket here? A member the room knows is answered from memory, anyone else by
	 * D1. Asked by every upgrade (onConnect) and, over RPC, by the route before it issues a socket ticket.
	 */
	async admit(userId: string, roomId: string): Promise<Admission> {
		const known = this.room.get();
		if (known === null && !this.room.isNamed(roomId)) return NO_SUCH_ROOM;
		const admission = await this.membership.admit(userId, () => d1Access(this.env, known ?? roomId, userId));
		// Learned only once D1 said the room exists: a made-up room id is never recorded as this one's.
		if (admission.ok) this.room.learn(roomId);
		return admission;
	}

	/**
	 * Closes a user's sockets after they left the room (their membership is already gone from D1), and
	 * forgets them as a member: their next join is asked of D1 again, and refused.
	 */
	async removeMember(userId: string): Promise<number> {
		this.membership.remove(userId);
		this.unread.unwatch(userId);
		return this.closeWhere((a) => a.user.id === userId, CloseCode.policy, 'You left this room.');
	}

	// ---- sockets ------------------------------------------------------------------------------------

	/**
	 * The upgrade's authorize step, in the call that opens the socket (the route forwards upgrades here
	 * unasked, see src/routes/chat/[room]/ws): a member the room knows from memory, anyone else by D1; a
	 * refusal is answered in the REST error shape, as the route's own refusals are.
	 */
	protected async onConnect(identity: SocketIdentity, request: Request): Promise<ChatAttachment | Response> {
		if (identity.kind !== 'user') return apiError(403, 'forbidden', 'Chat sockets are for signed-in users.');
		const admission = await this.admit(identity.id, RoomIdentity.fromSocketPath(request.url) ?? '');
		if (!admission.ok) return apiError(admission.status, admission.code, admission.message);
		const avatarKey = identity.claims?.avatarKey;
		const since = new URL(request.url).searchParams.get('since');
		const user = { id: identity.id, name: identity.name, avatarKey: typeof avatarKey === 'string' ? avatarKey : null };
		return {
			identity,
			connectedAt: Date.now(),
			user,
			author: this.store.authors.numberOf(user),
			since: since !== null && /^\d{1,15}$/.test(since) ? Number(since) : null,
			typingUntil: 0,
			joinedAt: admission.joinedAt
		};
	}

	/**
	 * Presence first, then the history the client lacks, then who is typing; all before any later event.
	 * Nothing here reads every socket: presence is kept as sockets come and go (RoomPresence).
	 */
	protected onOpen(ws: WebSocket, attachment: ChatAttachment) {
		const { user, since, author } = attachment;
		this.announced.clear();
		this.presence.socketOpened(ws, author);
		this.sendFrame(ws, this.presence.onlineFrame());

		for (const frame of this.history.frames(since, this.wire)) this.sendFrame(ws, frame);
		const typing = this.typing.now();
		if (typing.users.length > 0) this.send(ws, 'typing', typing);
		this.send(ws, 'cursor', this.unread.cursor(user.id, attachment.joinedAt));
	}

	protected onMessage(ws: WebSocket, request: ClientMessage<ChatChannel>, attachment: ChatAttachment) {
		const { user } = attachment;
		try {
			switch (request.type) {
				case 'send': {
					const { id, text } = request.payload;
					// Answered by the sender's copy of the message frame (see doSend).
					this.doSend(user, id, text, { ws, seq: request.seq });
					return;
				}
				case 'edit': {
					const { id, text } = request.payload;
					this.doChange(user, 'edit', () => this.store.edit(user.id, id, text));
					return;
				}
				case 'delete': {
					const { id } = request.payload;
					this.doChange(user, 'delete', () => this.store.delete(user.id, id));
					return;
				}
				case 'react': {
					const { id, emoji } = request.payload;
					this.doReact(user, id, emoji);
					return;
				}
				case 'typing':
					this.typing.keystroke(ws, user, attachment.typingUntil);
					return;
				case 'read': {
					const result = this.unread.read(user.id, request.payload.seq, attachment.joinedAt);
					if ('waitMs' in result)
						throw new RateLimited(
							result.waitMs,
							Math.ceil(CHAT_READ_WINDOW_MS / CHAT_READ_BURST),
							'mark messages read'
						);
					// Every tab of the person shows the same cursor; an unmoved one is only answered.
					if (!result.moved) this.send(ws, 'cursor', result.cursor, request.seq);
					else {
						const frame = this.wire.encodeServer('cursor', result.cursor);
						for (const socket of this.socketsOf({ kind: 'user', id: user.id })) this.sendFrame(socket, frame);
					}
					return;
				}
				case 'history': {
					const wait = this.historyBuckets.take(user.id, HISTORY_LIMIT);
					if (wait > 0)
						throw new RateLimited(wait, Math.ceil(CHAT_HISTORY_WINDOW_MS / CHAT_HISTORY_BURST), 'load older messages');
					const { before, limit } = request.payload;
					this.send(ws, 'history', this.history.older(before, limit ?? CHAT_PAGE_SIZE), request.seq);
					return;
				}
			}
		} catch (error) {
			// The error frame names the message id the request was about, so the client marks exactly that one.
			const ref = 'id' in request.payload ? request.payload.id : undefined;
			if (error instanceof ChatStoreError) throw new ProtocolError(error.code, error.message, undefined, ref);
			if (error instanceof RateLimited)
				throw new ProtocolError('rate-limited', error.message, error.retryAfterMs, ref, error.everyMs);
			// A server bug: still answered with the request's seq and id, so the client can settle it.
			log('error', 'chat request failed', { type: request.type, error: String(error) });
			throw new ProtocolError('internal', 'The server could not handle that request.', undefined, ref);
		}
	}

	protected onClose(_ws: WebSocket, { author, typingUntil }: ChatAttachment) {
		this.presence.socketClosed(author);
		this.typing.closed(typingUntil);
	}

	/** Each socket is tagged with its author, so counting one author's sockets reads no attachment. */
	protected tagsFor({ author }: ChatAttachment): string[] {
		return [authorTag(author)];
	}

	// ---- actions shared by sockets and RPC ----------------------------------------------------------

	/**
	 * A new message reaches the listeners, its row, and its sender — in that order when it is the first
	 * since the last turn of the event loop; while more come before the turn (LiveBatch is gathering), its
	 * row first, then all of them together on the turn. Either way the sender's copy, its ack, leaves after
	 * the row: it is sent after the INSERT, so the output gate holds it until the commit — an acked message
	 * is stored. Early, a listener may see a message a crash then takes back (its sender, never acked,
	 * sends it again); ChatStore keeps seqs and revs from being mistaken across that (mayShowEarly). A
	 * resend of a stored id answers its sender alone. `from` is the socket request it answers (REST gets
	 * the result).
	 */
	private doSend(user: ChatUser, id: string, text: string, from?: { ws: WebSocket; seq: number }) {
		const stored = this.store.resent(user, id);
		if (stored) {
			// A lost ack or a reconnect: free, even out of budget.
			if (from) this.send(from.ws, 'message', this.store.authors.entry(stored.message), from.seq);
			return stored;
		}
		const wait = this.buckets.wait(user.id, this.rateLimit);
		if (wait > 0) throw this.rateLimited(wait);
		this.buckets.take(user.id, this.rateLimit);
		const message = this.store.draft(user, id, text);
		const author = this.store.authors.numberOf(message.user);
		// Posted over REST by someone not online: the sockets learn who that is first (once).
		if (!this.presence.has(author) && !this.announced.has(author)) {
			this.broadcast('authors', { authors: [this.store.authors.wire(author)] });
			this.announced.add(author);
		}
		const entry = entryWire(message, author);
		if (this.live.gathering) {
			// Stored now, sent with the others on the turn; the sender's copy in the batch is its ack.
			this.store.insert(message);
			this.live.add(entry);
		} else if (this.store.mayShowEarly()) {
			this.broadcast('message', entry, { except: from?.ws });
			try {
				this.store.insert(message);
			} catch (error) {
				// Listeners hold a message the room could not store: as after a crash, its rev is marked
				// unconfirmed and every socket closes, so clients resume onto what is stored (a fresh page)
				// and the sender's outbox sends it again.
				log('error', 'chat: a message sent early could not be stored', { error: String(error) });
				this.store.unconfirmedFromHere();
				this.closeWhere(() => true, CloseCode.internal, 'The room could not store a message; reconnecting.');
				throw error;
			}
			if (from) this.send(from.ws, 'message', entry, from.seq);
			this.live.gather();
		} else {
			this.store.insert(message);
			this.broadcast('message', entry, { reply: from });
			this.live.gather();
		}
		this.typing.stop(user.id);
		// Bookkeeping after the fan-out: the index row still commits in this same event as the message.
		this.indexChange(message);
		this.unread.posted(message);
		return { message, duplicate: false };
	}

	private doReact(user: ChatUser, id: string, emoji: string, on?: boolean): ChatMessage {
		this.charge(user.id);
		const { message, changed } = this.store.react(user.id, id, emoji, on);
		this.live.flush();
		if (changed) this.broadcast('react', this.store.authors.entry(message));
		return message;
	}

	private doChange(user: ChatUser, type: 'edit' | 'delete', change: () => ChatMessage): ChatMessage {
		this.charge(user.id);
		const message = change();
		this.indexChange(message);
		this.live.flush();
		this.broadcast(type, this.store.authors.entry(message));
		if (type === 'edit') this.unread.edited(message);
		else this.unread.deleted();
		return message;
	}

	/** Into the outbox, in the same synchronous step as the change, so both commit together. */
	private indexChange(message: ChatMessage) {
		const roomId = this.room.get();
		if (roomId) this.index.enqueue(chatIndexMessage(roomId, message));
		else log('error', 'chat index: this room does not know its id; the message is not indexed', { seq: message.seq });
	}

	private charge(userId: string) {
		const wait = this.buckets.take(userId, this.rateLimit);
		if (wait > 0) throw this.rateLimited(wait);
	}

	private rateLimited(waitMs: number) {
		return new RateLimited(waitMs, Math.ceil(this.rateLimit.windowMs / this.rateLimit.burst));
	}

	private asResult<T extends object>(run: () => T): ChatResult<T> {
		try {
			return { ok: true, ...run() };
		} catch (error) {
			if (error instanceof ChatStoreError) return { ok: false, code: error.code, message: error.message };
			if (error instanceof RateLimited)
				return { ok: false, code: 'rate-limited', message: error.message, retryAfterMs: error.retryAfterMs };
			throw error;
		}
	}

	// ---- presence (from attachments, so it survives hibernation) -----------------------------------

	/** The author of every open socket: read once after a wake-up, to rebuild presence. */
	private *socketAuthors(): Iterable<number> {
		for (const ws of this.sockets()) {
			const author = this.attachment(ws)?.author;
			if (author !== undefined) yield author;
		}
	}
}

function authorTag(author: number): string {
	return `author:${author}`;
}
