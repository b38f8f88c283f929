import { z } from 'zod';
import { messageIdSchema, seqSchema, type ChatMessage } from '$lib/protocol/chat';
import { CHAT_TEXT_MAX_CHARS } from '$lib/protocol/chat-limits';

/**
 * The body of one CHAT_INDEX queue message: what a ChatRoom (the producer, through its outbox) tells the
 * search index (the consumer) about one message change. Defined once, validated by the consumer, since a
 * queue may hold bodies written by an older or newer deploy: `v` names this shape, and a consumer refuses
 * (logs and drops) a version it does not know rather than indexing a guess.
 *
 * `version` is the message's rev (the room's change counter at this change): strictly increasing per
 * message, so the index keeps whichever change is newest whatever order at-least-once delivery brings.
 */
export const CHAT_INDEX_MESSAGE_VERSION = 1;

/** A D1 room id is a UUID (36 characters); anything much longer is not one. */
const ROOM_ID_MAX = 64;
/** Display names and user ids are far shorter; the cap only bounds what a malformed body can make us store. */
const AUTHOR_FIELD_MAX = 200;

export const chatIndexMessageSchema = z.strictObject({
	v: z.literal(CHAT_INDEX_MESSAGE_VERSION),
	op: z.enum(['upsert', 'delete']),
	/** The D1 room id (the ChatRoom object's name). */
	roomId: z.string().min(1).max(ROOM_ID_MAX),
	messageId: messageIdSchema,
	seq: seqSchema,
	author: z.strictObject({ id: z.string().min(1).max(AUTHOR_FIELD_MAX), name: z.string().max(AUTHOR_FIELD_MAX) }),
	/** The text as stored (the source, not a rendering); empty for a delete. Code points ≤ 2 UTF-16 units each. */
	text: z.string().max(CHAT_TEXT_MAX_CHARS * 2),
	createdAt: z.number().int().min(0),
	version: seqSchema
});
export type ChatIndexMessage = z.infer<typeof chatIndexMessageSchema>;

/** The index message for a message as it is now: a delete for a tombstone, else an upsert of its text. */
export function chatIndexMessage(roomId: string, message: ChatMessage): ChatIndexMessage {
	return {
		v: CHAT_INDEX_MESSAGE_VERSION,
		op: message.deleted ? 'delete' : 'upsert',
		roomId,
		messageId: message.id,
		seq: message.seq,
		author: { id: message.user.id, name: message.user.name },
		text: message.deleted ? '' : message.text,
		createdAt: message.createdAt,
		version: message.rev
	};
}
