import { mentionedUsernames } from '$lib/chat/mentions';
import type { ChatCursor, ChatMessage } from '$lib/protocol/chat';
import type { RoomActivity } from '$lib/protocol/chat-inbox';
import { CHAT_MENTIONS_PER_MESSAGE_MAX, CHAT_READ_BURST, CHAT_READ_WINDOW_MS } from '$lib/protocol/chat-unread-limits';
import { getDb } from '$lib/server/db';
import { log } from '$lib/server/log';
import { TokenBuckets } from '$lib/server/realtime/token-bucket';
import { chatInboxStub } from './access';
import type { ChatStore } from './chat-store';
import { ReadState } from './read-state';
import { previewText, roomActivity } from './room-activity';
import { membersByUsername } from './room-members';
import { RoomWatchers } from './room-watchers';

const READ_LIMIT = { burst: CHAT_READ_BURST, windowMs: CHAT_READ_WINDOW_MS };
/** People whose join counts are remembered at most; beyond, the longest-remembered are dropped. */
const JOIN_COUNTS_MAX = 10_000;

/** What RoomUnread needs of its ChatRoom. */
export interface UnreadHost {
	readonly roomId: string;
	readonly store: ChatStore;
	readonly env: Env;
	readonly storage: DurableObjectStorage;
	/** Keeps the object alive for work that finishes after the event (mention lookups). */
	waitUntil(promise: Promise<unknown>): void;
}

/**
 * A room's unread state: read cursors, mention resolution and the per-person summaries, over ReadState
 * (why it lives in the room: see read-state.ts), and the live feed of those summaries to the inboxes of
 * the people with a chat page open (RoomWatchers). Mentions are resolved after the message is stored and
 * broadcast — the D1 lookup of who the @names are never delays the fan-out — and only the resolution of a
 * message's current text is recorded, so an edit racing its own lookup cannot leave stale mentions.
 */
export class RoomUnread {
	private readonly state: ReadState;
	private readonly buckets: TokenBuckets;
	private readonly watchers: RoomWatchers;
	/** Resolutions still running (a test awaits them through `settled`). */
	private readonly running = new Set<Promise<unknown>>();
	/** Bumped whenever recorded mentions change (they resolve after the message's rev: see recordMentions). */
	private mentionChanges = 0;
	/**
	 * The counts each person's last join got, with what they were counted from: their cursor, the room's
	 * rev (every post, edit, delete bumps it) and mentionChanges. A join while none of those moved (another
	 * tab, a reconnect) reuses them instead of counting up to CHAT_UNREAD_COUNT_MAX rows again.
	 */
	private readonly joinCounts = new Map<string, { from: string; cursor: ChatCursor }>();

	constructor(private readonly host: UnreadHost) {
		this.state = new ReadState(host.storage);
		this.buckets = new TokenBuckets(host.storage, 'read_buckets');
		this.watchers = new RoomWatchers(
			host.storage,
			(userId, joinedAt) => chatInboxStub(host.env, userId).activity(this.summary(userId, joinedAt)),
			(promise) => host.waitUntil(promise)
		);
	}

	/** The person's inbox follows this room from now on; returns their summary of it. */
	watch(userId: string, joinedAt: number): RoomActivity {
		this.watchers.watch(userId, joinedAt);
		return this.summary(userId, joinedAt);
	}

	/** They left the room: their inbox hears no more of it. */
	unwatch(userId: string) {
		this.watchers.unwatch(userId);
	}

	/** The person's cursor and counts, as a join gets them. */
	cursor(userId: string, joinedAt: number): ChatCursor {
		const seq = this.state.cursor(userId, joinedAt);
		const from = `${seq} ${this.host.store.rev} ${this.mentionChanges}`;
		const known = this.joinCounts.get(userId);
		if (known?.from === from) return known.cursor;
		const cursor = this.state.counts(userId, seq);
		this.joinCounts.delete(userId); // re-inserted last: the longest-remembered is dropped first
		this.joinCounts.set(userId, { from, cursor });
		if (this.joinCounts.size > JOIN_COUNTS_MAX) this.joinCounts.delete(this.joinCounts.keys().next().value!);
		return cursor;
	}

	summary(userId: string, joinedAt: number): RoomActivity {
		const { roomId: id, store } = this.host;
		return roomActivity(this.host.storage.sql, this.state, { id, lastSeq: store.seq }, userId, joinedAt);
	}

	/**
	 * A `read` from one of the person's sockets: the cursor moves forward only, never past the last
	 * message. Returns the cursor after it, whether it moved, or the wait when the read budget is spent.
	 */
	read(userId: string, seq: number, joinedAt: number): { cursor: ChatCursor; moved: boolean } | { waitMs: number } {
		const waitMs = this.buckets.take(userId, READ_LIMIT);
		if (waitMs > 0) return { waitMs };
		this.state.cursor(userId, joinedAt); // a first cursor starts where the person joined, like on join
		const { seq: at, moved } = this.state.advance(userId, seq, this.host.store.seq);
		if (moved) this.watchers.changed(userId); // their other tabs' room lists
		return { cursor: this.state.counts(userId, at), moved };
	}

	/**
	 * A new message: its @names resolve. Its author's cursor is not written here — their own messages never
	 * count as unread, and their open tab moves the cursor as it shows them — so a send costs no extra write.
	 */
	posted(message: ChatMessage) {
		this.watchers.changed();
		if (mentionedUsernames(message.text).length > 0) this.resolve(message);
	}

	/** An edit may add or drop mentions (only people mentioned for the first time are notified). */
	edited(message: ChatMessage) {
		this.watchers.changed();
		if (mentionedUsernames(message.text).length > 0 || this.state.hasMentions(message.seq)) this.resolve(message);
	}

	/** A delete changes counts and maybe the preview; its mentions stop counting by themselves. */
	deleted() {
		this.watchers.changed();
	}

	/** Resolves once every mention lookup started so far is recorded. */
	async settled(): Promise<void> {
		while (this.running.size > 0) await Promise.all(this.running);
	}

	private resolve(message: ChatMessage) {
		const work = this.recordMentions(message)
			.then((fresh) => this.notify(message, fresh))
			.catch((error: unknown) => log('error', 'chat mention lookup failed', { error: String(error) }))
			.finally(() => this.running.delete(work));
		this.running.add(work);
		this.host.waitUntil(work);
	}

	/** Returns the people mentioned for the first time (to be notified). */
	private async recordMentions(message: ChatMessage): Promise<string[]> {
		const names = mentionedUsernames(message.text).slice(0, CHAT_MENTIONS_PER_MESSAGE_MAX);
		const members = await membersByUsername(getDb(this.host.env), this.host.roomId, names);
		// Other events ran while D1 answered: if the text changed since, that edit resolves its own.
		if (this.host.store.liveText(message.id) !== message.text) return [];
		const targets = new Set([...members.values()].filter((id) => id !== message.user.id));
		this.mentionChanges++;
		return this.state.setMentions(message.seq, targets);
	}

	/** Counts changed for the people concerned; those mentioned for the first time get a notice, if online. */
	private async notify(message: ChatMessage, fresh: string[]) {
		this.watchers.changed();
		const notice = {
			roomId: this.host.roomId,
			seq: message.seq,
			messageId: message.id,
			from: message.user.name,
			text: previewText(message.text)
		};
		await Promise.all(
			fresh.filter((id) => this.watchers.has(id)).map((id) => chatInboxStub(this.host.env, id).mentioned(notice))
		);
	}
}
