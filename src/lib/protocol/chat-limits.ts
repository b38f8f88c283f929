/**
 * Chat limits, shared by the browser (to refuse early, with a clear message) and the ChatRoom Durable
 * Object (to enforce). Each one says why it has the value it has.
 */

/**
 * Longest message text, in characters (code points, see text-length.ts), as the composer counts them: a
 * long paragraph, like Slack's and Discord's few thousand. A code point is at most 4 bytes of UTF-8 and,
 * control characters being refused (chat.ts), at most 4 bytes of JSON (an emoji; a quote or backslash
 * escapes to 2): ≤ 16 KB of JSON per text. A page of 50 of those would pass the 512 KiB frame budget, so
 * pages and catch-up frames are cut at CHAT_FRAME_JSON_BUDGET_BYTES, never by count alone.
 */
export const CHAT_TEXT_MAX_CHARS = 4000;

/** The composer shows its counter from here on, so the limit is seen before it is reached. */
export const CHAT_TEXT_COUNTER_FROM = 3600;

/**
 * Most JSON bytes of messages the room puts into one history or catch-up frame. Half the codec's 1 MiB
 * payload cap (MAX_PAYLOAD_BYTES, codec.ts), which leaves room for the envelope and for rows stored
 * before control characters were refused (up to 6 JSON bytes per text byte). A page cut here says
 * `hasMore: true`; the client asks again from where it stopped.
 */
export const CHAT_FRAME_JSON_BUDGET_BYTES = 512 * 1024;

/**
 * Largest inbound socket frame: a safety cap on bytes, apart from the character limit. A send carries at
 * most 4,000 characters, ≤ 16 KB of JSON when valid; even a refused one (6 bytes each: \u00XX for a
 * control character or a lone surrogate; it gets an error frame, not a close) plus the envelope and the
 * 24-byte frame header stays under 32 KiB. Anything larger is not a chat frame, so the socket is closed
 * with 1009 before a byte of it is decoded.
 */
export const CHAT_MAX_FRAME_BYTES = 32 * 1024;

/**
 * Per-user send budget (token bucket): a burst of 10 messages, refilled at 10 per 10 s. Humans rarely type
 * faster; a bot or stuck client that does is slowed instead of flooding every member's screen. Counts
 * sends, edits, deletes and reactions, over socket and REST alike.
 */
export const CHAT_RATE_BURST = 10;
export const CHAT_RATE_WINDOW_MS = 10_000;

/**
 * Per-user scroll-back budget: each history request is ~30 bytes in and up to a 512 KiB page out, so
 * without a budget a member who asks and never reads could make the room buffer pages without end. Ten
 * pages at once and one a second after that is faster than anyone scrolls (a page is 50 messages).
 */
export const CHAT_HISTORY_BURST = 10;
export const CHAT_HISTORY_WINDOW_MS = 10_000;

/** Messages per history page: one screen and a bit on a desktop, cheap to render on a phone. */
export const CHAT_PAGE_SIZE = 50;

/**
 * Most new messages a busy room puts into one `messages` frame (ChatRoom's LiveBatch). A new message is
 * at most ~16.5 KB of JSON (its text, see CHAT_TEXT_MAX_CHARS, and its fields), so 24 of them stay under
 * CHAT_FRAME_JSON_BUDGET_BYTES; a busy room of short lines rarely gathers that many in one turn.
 */
export const CHAT_LIVE_BATCH_MAX = 24;
/** Upper bound a client (or REST caller) may ask for in one page, so one request cannot read a whole room. */
export const CHAT_PAGE_MAX = 200;

/**
 * A reconnecting client that missed more changes than this gets the latest page with `reset` instead of a
 * replay: replaying thousands of rows into one socket frame would hit the frame cap and stall the room.
 */
export const CHAT_CATCHUP_MAX = 500;

/** A typing signal shows for this long after the last keystroke signal (the issue asks for ~5 s). */
export const CHAT_TYPING_TTL_MS = 5_000;
/** Clients send at most one typing signal per this interval while the user keeps typing. */
export const CHAT_TYPING_SIGNAL_INTERVAL_MS = 2_000;

/** Client-generated message ids: long enough for a UUID or ULID, short enough to index cheaply. */
export const CHAT_MESSAGE_ID_MAX = 64;
/** One emoji may be several code points (flags, skin tones, ZWJ sequences); 32 bytes covers them. */
export const CHAT_EMOJI_MAX_BYTES = 32;
/** Distinct emoji per message, so reactions cannot be used to grow a message row without bound. */
export const CHAT_REACTIONS_PER_MESSAGE_MAX = 20;

/** Room names as shown in the directory, in characters: one line on a phone's room list. */
export const CHAT_ROOM_NAME_MAX = 60;
/** The room-name field shows its counter from here on (the limit is seen before it is reached). */
export const CHAT_ROOM_NAME_COUNTER_FROM = 45;
