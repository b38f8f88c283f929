import { z } from 'zod';
import { defineChannel, type ChannelErrorCode } from './channel';
import {
	CHAT_EMOJI_MAX_BYTES,
	CHAT_LIVE_BATCH_MAX,
	CHAT_MAX_FRAME_BYTES,
	CHAT_MESSAGE_ID_MAX,
	CHAT_PAGE_MAX,
	CHAT_PAGE_SIZE,
	CHAT_ROOM_NAME_MAX,
	CHAT_TEXT_MAX_CHARS
} from './chat-limits';
import { authorNumberSchema, chatAuthorSchema, chatEntrySchema } from './chat-wire';
import { characterCount } from './text-length';

/**
 * The chat protocol, defined once and used by the browser, the ChatRoom Durable Object and the REST API:
 * the payload schemas below, and `chatChannel` (the socket contract: each kind's type byte, the app's
 * error codes, the protocol version and the inbound cap). On the socket each payload travels as JSON
 * inside a binary codec frame (see $lib/protocol/channel); messages and their authors in the compact
 * form of chat-wire.ts, while REST speaks ChatMessage.
 */

const utf8 = new TextEncoder();
export const utf8Length = (s: string) => utf8.encode(s).byteLength;

/** Client-generated, so a resend after a lost ack is recognised rather than posted twice. */
export const messageIdSchema = z
	.string()
	.max(CHAT_MESSAGE_ID_MAX)
	.regex(/^[A-Za-z0-9_-]+$/, 'A message id is 1–64 letters, digits, "-" or "_".');

/**
 * C0 and C1 control characters (and DEL) other than tab and newline: invisible in a message, and JSON
 * escapes each C0 one to six bytes (\u00XX), which is how a few pages of them once outgrew a frame.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** A lone UTF-16 surrogate (with the u flag a proper pair is one code point and does not match). */
const LONE_SURROGATE = /\p{Surrogate}/u;

export const messageTextSchema = z
	.string()
	.refine((s) => s.trim().length > 0, 'A message cannot be empty.')
	.refine(
		(s) => !CONTROL.test(s),
		'A message cannot contain control characters (only line breaks and tabs are allowed).'
	)
	.refine((s) => !LONE_SURROGATE.test(s), 'A message must be valid Unicode text (it has a broken character).')
	.refine(
		(s) => characterCount(s) <= CHAT_TEXT_MAX_CHARS,
		`A message is at most ${CHAT_TEXT_MAX_CHARS.toLocaleString('en')} characters.`
	);

/** Emoji only: pictographs, flags, keycaps, with their joiners, variation selectors and skin tones. */
const EMOJI = /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f)+$/u;
const HAS_PICTURE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;
/** Grapheme clusters: what a reader sees as one character, so "👍👍" is two and "👨‍👩‍👧" one. */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const isOneGrapheme = (s: string) => {
	const it = graphemes.segment(s)[Symbol.iterator]();
	return !it.next().done && it.next().done === true;
};
export const emojiSchema = z
	.string()
	.refine((s) => EMOJI.test(s) && HAS_PICTURE.test(s) && isOneGrapheme(s), 'A reaction is a single emoji.')
	.refine((s) => utf8Length(s) <= CHAT_EMOJI_MAX_BYTES, 'That emoji is too long.');

export const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

// ---- client → server ------------------------------------------------------------------------------

export const sendRequest = z.strictObject({ id: messageIdSchema, text: messageTextSchema });
export const editRequest = z.strictObject({ id: messageIdSchema, text: messageTextSchema });
export const deleteRequest = z.strictObject({ id: messageIdSchema });
/** Toggles: reacting again with the same emoji removes the reaction. */
export const reactRequest = z.strictObject({ id: messageIdSchema, emoji: emojiSchema });
/** "I pressed a key": shows the sender as typing for CHAT_TYPING_TTL_MS. */
export const typingRequest = z.strictObject({});
/** Scroll-back: messages with seq < before, newest first up to `limit`, returned in ascending order. */
export const historyRequest = z.strictObject({
	before: seqSchema,
	limit: z.number().int().min(1).max(CHAT_PAGE_MAX).optional()
});
/**
 * "I have read up to message `seq`": moves the sender's read cursor in this room. Monotonic (an older seq
 * leaves it where it is) and clamped to the room's last message; the room answers every socket of the
 * person with `cursor`, so their tabs agree.
 */
export const readRequest = z.strictObject({ seq: seqSchema });

// ---- server → client ------------------------------------------------------------------------------

export const chatUserSchema = z.object({
	id: z.string(),
	name: z.string(),
	avatarKey: z.string().nullable()
});
export type ChatUser = z.infer<typeof chatUserSchema>;

export const reactionSchema = z.object({ emoji: z.string(), users: z.array(z.string()) });

/**
 * One message as it is now (REST, the search index, what the browser shows; the socket carries the
 * compact ChatEntry of chat-wire.ts). `seq` is its position in the room (1, 2, 3, … without gaps); `rev`
 * is the room-wide change counter at its last change (post, edit, delete or reaction), which is what a
 * reconnecting client resumes from. A deleted message keeps its seq as a tombstone with empty text.
 */
export const chatMessageSchema = z.object({
	seq: seqSchema,
	rev: seqSchema,
	id: z.string(),
	user: chatUserSchema,
	text: z.string(),
	createdAt: z.number(),
	editedAt: z.number().nullable(),
	deleted: z.boolean(),
	reactions: z.array(reactionSchema)
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const typingEvent = z.object({
	/** Who is typing now, with how many ms each indicator has left. */
	users: z.array(z.object({ id: z.string(), name: z.string(), ms: z.number() }))
});

/**
 * Who is online, by author (chat-wire.ts): on join the socket gets `online`, everyone online; after that
 * every socket gets `joined` when an author's first socket opens and `left` (the author number) when its
 * last one closes. One person with several tabs is online once.
 */
export const presenceEvent = z.object({
	online: z.array(chatAuthorSchema).optional(),
	joined: chatAuthorSchema.optional(),
	left: authorNumberSchema.optional()
});

/** Authors not described yet (a message posted over REST by someone not online comes after this). */
export const authorsEvent = z.object({ authors: z.array(chatAuthorSchema) });

export const historyEvent = z.object({
	/**
	 * latest: the newest page on join; catchup: every message changed since the client's `since` rev, in
	 * rev order; reset: `since` was too far behind, so the newest page replaces what the client holds;
	 * older: a scroll-back page.
	 */
	kind: z.enum(['latest', 'catchup', 'reset', 'older']),
	messages: z.array(chatEntrySchema),
	/** The authors of these messages. */
	authors: z.array(chatAuthorSchema),
	/** Whether messages older than the first one in this page exist. */
	hasMore: z.boolean(),
	/** The room's change counter when this page was read. */
	rev: seqSchema
});

/**
 * New messages of a busy room, in seq order, sent together once their rows have committed (ChatRoom's
 * LiveBatch): one frame per socket for several messages is what lets a room keep up with a heavy
 * fan-out. Each is what a `message` frame would carry.
 */
export const liveMessagesEvent = z.array(chatEntrySchema).min(1).max(CHAT_LIVE_BATCH_MAX);

/**
 * The person's read cursor in this room (every message with seq ≤ it is read) and what is unread after
 * it: live messages by others, and those of them that mention the person. Sent on join (after the
 * history), after their own `read` (to all their sockets) and when they post. Counts stop at
 * CHAT_UNREAD_COUNT_MAX ("999+").
 */
export const cursorEvent = z.object({ seq: seqSchema, unread: seqSchema, mentions: seqSchema });
export type ChatCursor = z.infer<typeof cursorEvent>;

// ---- the socket contract ----------------------------------------------------------------------------

/**
 * Type bytes are the ones chat used before the contract (a request and the event it causes share a
 * number); the benches hardcode `send` (1) and `message` (3) in e2e/bench/chat-wire.ts, which its spec pins.
 * Errors are the contract's type-0 frame: `ref` is the message id a refused request was about, and a
 * rate-limited one carries `retryAfterMs` and `everyMs`.
 *
 * Version 2: messages and authors in the compact form (chat-wire.ts), presence as changes, and no `ack`
 * (type 2 is free): a send is answered by the sender's copy of the `message` frame, which carries the
 * send's request number as its frame seq (a resend of a stored message gets that message the same way,
 * to the sender alone).
 *
 * Version 3: a busy room sends its new messages in `messages` frames, several per frame, after their
 * rows committed; a sender's own message in one is the answer to its send (matched by message id).
 */
export const chatChannel = defineChannel({
	name: 'chat',
	version: 3,
	client: {
		send: { type: 1, schema: sendRequest },
		edit: { type: 4, schema: editRequest },
		delete: { type: 5, schema: deleteRequest },
		react: { type: 6, schema: reactRequest },
		typing: { type: 7, schema: typingRequest },
		history: { type: 9, schema: historyRequest },
		read: { type: 10, schema: readRequest }
	},
	server: {
		message: { type: 3, schema: chatEntrySchema },
		edit: { type: 4, schema: chatEntrySchema },
		delete: { type: 5, schema: chatEntrySchema },
		react: { type: 6, schema: chatEntrySchema },
		typing: { type: 7, schema: typingEvent },
		presence: { type: 8, schema: presenceEvent },
		history: { type: 9, schema: historyEvent },
		cursor: { type: 10, schema: cursorEvent },
		authors: { type: 11, schema: authorsEvent },
		messages: { type: 12, schema: liveMessagesEvent }
	},
	/** Besides the common codes (bad-message, rate-limited, forbidden, …): what ChatStore refuses. */
	errors: ['not-found', 'gone', 'id-taken', 'too-many-reactions'],
	maxInboundBytes: CHAT_MAX_FRAME_BYTES
});
export type ChatChannel = typeof chatChannel;
export type ChatErrorCode = ChannelErrorCode<ChatChannel>;

// ---- REST and room directory ------------------------------------------------------------------------

/** Refused, not cut: a name over the limit comes back with this message and the name as typed. */
export const roomNameSchema = z
	.string({ error: 'Give the room a name.' })
	.trim()
	.min(1, 'Give the room a name.')
	.refine((s) => characterCount(s) <= CHAT_ROOM_NAME_MAX, {
		error: (issue) =>
			`Room names are at most ${CHAT_ROOM_NAME_MAX} characters; this one has ${characterCount(String(issue.input))}.`
	});

export const createRoomSchema = z.object({
	name: roomNameSchema,
	visibility: z.enum(['public', 'private'], { error: 'Choose who can join: public or private.' }).default('public')
});

export const restSendSchema = z.strictObject({
	room: z.string().min(1),
	text: messageTextSchema,
	/** Optional for bots: supply one to make retries idempotent. */
	id: messageIdSchema.optional()
});

/** `on` sets the reaction (PUT stays idempotent); without it the reaction toggles like in the UI. */
export const restReactSchema = z.strictObject({
	room: z.string().min(1),
	emoji: emojiSchema,
	on: z.boolean().optional()
});

/** Query of GET /api/messages. */
export const restHistoryQuery = z.object({
	room: z.string().min(1),
	before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
	limit: z.coerce.number().int().min(1).max(CHAT_PAGE_MAX).default(CHAT_PAGE_SIZE)
});
