import {
	chatInboxChannel,
	type ChatInboxChannel,
	type InboxRoom,
	type MentionNotice,
	type RoomActivity
} from '$lib/protocol/chat-inbox';
import { CHAT_INBOX_ROOMS_MAX } from '$lib/protocol/chat-unread-limits';
import { getDb } from '$lib/server/db';
import { log } from '$lib/server/log';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { RealtimeObject, type BaseAttachment } from '$lib/server/realtime/realtime-object';
import { roomSummaries } from './access';
import { myRooms } from './rooms';

/**
 * One person's chat inbox (named by their user id): the live feed of their rooms' activity to every chat
 * page they have open (room list and rooms alike, over the `inbox` channel), so the room list updates and
 * mentions notify without polling anything. It holds no data of its own beyond its room names: counts and
 * previews are the rooms' (ChatRoom.summary), and the rooms send them here only while a page is open —
 * an inbox answers "no page open" and the room stops (RoomWatchers), so a message wakes the inboxes of the
 * people online in chat, never every member's.
 *
 * When a page connects, the inbox reads the person's rooms from D1 (one query per opened chat tab, not per
 * room visit: the socket lives in the chat layout) and asks each room to watch, a few at a time, each
 * answer being that room's summary; the snapshot goes to the page.
 */
export class ChatInbox extends RealtimeObject<ChatInboxChannel> {
	/** Room names, for notices (a room sends only its id); from the last snapshot read from D1. */
	private names = new Map<string, string>();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env, chatInboxChannel);
	}

	// ---- RPC from ChatRoom and the room actions --------------------------------------------------

	/** A room's new summary for this person; false when no page is open (the room stops sending). */
	async activity(summary: RoomActivity): Promise<boolean> {
		return this.broadcast('room', summary) > 0;
	}

	/** Someone mentioned this person in a room; false when no page is open. */
	async mentioned(notice: Omit<MentionNotice, 'roomName'>): Promise<boolean> {
		if (this.sockets().length === 0) return false;
		if (!this.names.has(notice.roomId)) await this.snapshot(); // woken from hibernation: names are gone
		return this.broadcast('mention', { ...notice, roomName: this.names.get(notice.roomId) ?? 'a room' }) > 0;
	}

	/** The person joined or left a room: open pages get the new room list (and the new room is watched). */
	async roomsChanged(): Promise<void> {
		if (this.sockets().length === 0) return;
		this.broadcast('rooms', { rooms: await this.snapshot() });
	}

	// ---- sockets ------------------------------------------------------------------------------------

	protected async onConnect(identity: SocketIdentity): Promise<BaseAttachment | Response> {
		if (identity.kind !== 'user') return new Response('Inbox sockets are for signed-in users.', { status: 403 });
		// The route names the object by the caller's id; any other identity here is a bug, not a visitor.
		if (this.ctx.id.name !== undefined && this.ctx.id.name !== identity.id)
			return new Response('This inbox belongs to someone else.', { status: 403 });
		return { identity, connectedAt: Date.now() };
	}

	/** Not awaited by the upgrade: the page gets its socket at once and the snapshot when it is read. */
	protected onOpen(ws: WebSocket) {
		const sent = this.snapshot().then(
			(rooms) => this.send(ws, 'rooms', { rooms }),
			(error: unknown) => log('error', 'chat inbox snapshot failed', { error: String(error) })
		);
		this.ctx.waitUntil(sent);
	}

	protected onMessage(): void {
		// The contract has no client kinds: the codec refuses every frame before it gets here.
	}

	// ---- internals ----------------------------------------------------------------------------------

	private get userId(): string {
		return this.ctx.id.name ?? '';
	}

	/** The person's rooms from D1, each asked to watch (which answers with its summary). */
	private async snapshot(): Promise<InboxRoom[]> {
		const rooms = await myRooms(getDb(this.env), this.userId, CHAT_INBOX_ROOMS_MAX);
		this.names = new Map(rooms.map((r) => [r.id, r.name]));
		const summaries = await roomSummaries(this.env, this.userId, rooms, { watch: true });
		const byId = new Map(rooms.map((r) => [r.id, r]));
		return summaries.map((s) => ({ ...s, name: byId.get(s.roomId)!.name, isPrivate: byId.get(s.roomId)!.isPrivate }));
	}
}
