import { z } from 'zod';
import { defineChannel } from './channel';
import { cursorEvent, seqSchema } from './chat';

/**
 * One room as the person's room list shows it: the newest live message (sender and a cut, plain-text
 * preview) and when it was posted, which orders the list, and the person's cursor with their unread and
 * mention counts. Read by the room itself (ChatRoom.summary), so the counts are exact; `at` is when it was
 * read, so of two summaries of one room the later one wins whatever order they arrive in.
 */
export const roomActivitySchema = z.object({
	roomId: z.string(),
	lastSeq: seqSchema,
	lastAt: z.number().nullable(),
	last: z.object({ name: z.string(), text: z.string() }).nullable(),
	cursor: cursorEvent,
	at: z.number()
});
export type RoomActivity = z.infer<typeof roomActivitySchema>;

/** A room of the person's, with its directory facts from D1 beside its activity. */
export const inboxRoomSchema = roomActivitySchema.extend({ name: z.string(), isPrivate: z.boolean() });
export type InboxRoom = z.infer<typeof inboxRoomSchema>;

/**
 * Someone mentioned the person: enough for a browser notification (who, where, a preview) and for
 * opening the room at the message. Sent once per person and message, never for their own mention.
 */
export const mentionNoticeSchema = z.object({
	roomId: z.string(),
	roomName: z.string(),
	seq: seqSchema,
	messageId: z.string(),
	from: z.string(),
	text: z.string()
});
export type MentionNotice = z.infer<typeof mentionNoticeSchema>;

/**
 * The person's chat inbox (one ChatInbox Durable Object per person, open while any chat page is): the
 * live feed of their rooms' activity. Server → client only:
 * - `rooms` (1): every room of theirs, on connect and when their memberships change;
 * - `room` (2): one room's new summary (a message, an edit or delete, their cursor moved on another tab);
 * - `mention` (3): someone mentioned them.
 * The browser sends nothing but the heartbeat, hence the smallest inbound cap.
 */
export const chatInboxChannel = defineChannel({
	name: 'inbox',
	version: 1,
	client: {},
	server: {
		rooms: { type: 1, schema: z.object({ rooms: z.array(inboxRoomSchema) }) },
		room: { type: 2, schema: roomActivitySchema },
		mention: { type: 3, schema: mentionNoticeSchema }
	},
	errors: [],
	maxInboundBytes: 1024
});
export type ChatInboxChannel = typeof chatInboxChannel;
