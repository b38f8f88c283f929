/**
 * Limits of chat's unread state (read cursors, unread and mention counts, previews, mention notices),
 * each with its reason. Beside chat-limits.ts rather than in it: one concept per file.
 */

/**
 * Unread and mention counts stop here (shown "999+"): past it the number tells nobody anything, and a
 * bounded count keeps every summary a bounded index range read however far behind a person is.
 */
export const CHAT_UNREAD_COUNT_MAX = 999;

/** A room list preview: one or two lines on a phone, and a small summary frame however long the message. */
export const CHAT_PREVIEW_MAX_CHARS = 120;

/**
 * Distinct @usernames resolved per message (one D1 query with one parameter each; D1 allows 100). A
 * message naming more people than this is a broadcast, not a mention: the first ones are notified.
 */
export const CHAT_MENTIONS_PER_MESSAGE_MAX = 20;

/**
 * Read-cursor updates per person per room: the client debounces (CHAT_READ_DEBOUNCE_MS), so a reader
 * sends about one a second at most while scrolling; the budget leaves room for several tabs.
 */
export const CHAT_READ_BURST = 30;
export const CHAT_READ_WINDOW_MS = 10_000;
/** The client sends its cursor this long after the last newly seen message, not on every scroll event. */
export const CHAT_READ_DEBOUNCE_MS = 750;

/**
 * Rooms the inbox asks for a summary at once: a person in many rooms must not wake all of them in one
 * burst (each call wakes a Durable Object), and a few at a time still gathers 100 rooms in well under a second.
 */
export const CHAT_SUMMARY_CONCURRENCY = 8;
/** Rooms one person's inbox follows live (and the room list summarises); more are listed without counts. */
export const CHAT_INBOX_ROOMS_MAX = 500;
