import { decodeBase64, encodeBase64 } from '@oslojs/encoding';
import { z } from 'zod';
import { PULL_PAGE_MAX_BYTES } from './workspace-messages';

/**
 * Collaborative texts (a doc's body, a task's description) are Yjs documents synced on the workspace
 * channel beside the event log. Their limits live here, each with its reason, shared by the browser
 * (which stays under them) and the WorkspaceSync object (which enforces them).
 */

/**
 * A text's id on the wire: `doc:<doc id>` for a doc body, `task:<task id>` for a task description, so
 * one table holds both and a doc and a task with the same entity id never share a text.
 */
export const TEXT_ID_PATTERN = /^(doc|task):[A-Za-z0-9_-]{1,64}$/;
export const textId = z.string().regex(TEXT_ID_PATTERN, 'A text id is doc:<id> or task:<id>.');
export type TextId = `doc:${string}` | `task:${string}`;
/** The root Y.Text every collaborative text lives in. */
export const TEXT_ROOT = 'body';

/**
 * Largest single Yjs update a client may send (decoded bytes): a keystroke is ~20 bytes, a pasted
 * chapter or an afternoon of offline typing merged into one update is tens of KB. 256 KiB still goes out
 * base64-encoded (×4/3) well inside the channel's inbound frame cap.
 */
export const DOC_UPDATE_MAX_BYTES = 256 * 1024;
/**
 * Largest stored state of one text (snapshot + tail, Yjs bytes). A new client gets the whole state in
 * one `doc-sync` frame, base64-encoded: 512 KiB → ~700 KB of JSON, under the 900 KB frame budget
 * (PULL_PAGE_MAX_BYTES, itself under Cloudflare's 1 MiB message limit). Yjs state is close to the text
 * itself plus small per-edit metadata once compacted, so this holds a long document.
 */
export const DOC_STATE_MAX_BYTES = 512 * 1024;
/** Characters the editor lets a text grow to, so the person typing meets the limit before the server does. */
export const DOC_TEXT_MAX_CHARS = 200_000;
/**
 * An awareness update is one person's cursor, selection, name and colour: a few hundred bytes. 2 KiB
 * leaves room for long names and bounds what one member can make every other member receive.
 */
export const AWARENESS_MAX_BYTES = 2 * 1024;
/**
 * Doc update frames one member may send per workspace: 600 at once, refilled at 600 per 10 s (60/s).
 * The browser coalesces keystrokes into at most one frame per DOC_SEND_INTERVAL_MS (50/s), so the
 * fastest typist stays inside it; a runaway client is told when to come back and resyncs then.
 */
export const DOC_RATE_BURST = 600;
export const DOC_RATE_WINDOW_MS = 10_000;
/** Awareness frames get the same budget in their own bucket, so cursor moves never starve edits. */
export const AWARENESS_RATE_BURST = 600;
export const AWARENESS_RATE_WINDOW_MS = 10_000;
/**
 * Keystrokes made within this long of the last frame are merged into the next one (Y.mergeUpdates):
 * a person typing at 10 keys/s sends each key at once, a burst (paste, replay, a benchmark) stays at
 * 50 frames/s, under the rate budget, at the cost of ≤ 20 ms of added latency.
 */
export const DOC_SEND_INTERVAL_MS = 20;
/** Cursor moves are coalesced the same way, more loosely: a remote cursor 50 ms late reads as live. */
export const AWARENESS_SEND_INTERVAL_MS = 50;
/**
 * Texts one socket may have open at once: a page shows one doc (or one task) at a time; a few more
 * cover quick switching. Bounds the subscriptions kept in the socket's attachment and the docs one
 * socket can make the object hold in memory.
 */
export const DOC_OPEN_MAX_PER_SOCKET = 8;
/**
 * …and one person across all their sockets (MAX_SOCKETS_PER_IDENTITY tabs would otherwise hold 16 × 8):
 * a few tabs each showing a doc and syncing offline edits stay well inside it.
 */
export const DOC_OPEN_MAX_PER_IDENTITY = 24;
/**
 * doc-open frames one member may send per workspace: 120 at once, refilled at 120 per minute. Each open
 * may load a text into the object's memory; a person switching docs, a reconnect reopening the open ones
 * and the background sync of offline edits stay far inside it.
 */
export const DOC_OPEN_RATE_BURST = 120;
export const DOC_OPEN_RATE_WINDOW_MS = 60_000;
/**
 * A doc-open for a doc or task the server does not know yet (its creation may still be on its way in
 * the event log's outbox) is retried this long after, a few times (TextSession), before it is an error.
 */
export const DOC_NOT_FOUND_RETRY_MS = 500;
export const DOC_NOT_FOUND_RETRIES = 10;
/**
 * Texts one workspace may hold. With DOC_STATE_MAX_BYTES each that bounds its Yjs storage at ~1 GB, a
 * tenth of a Durable Object's 10 GB SQLite (developers.cloudflare.com/durable-objects/platform/limits).
 */
export const DOC_COUNT_MAX = 2_000;

const stateBudget = Math.ceil((DOC_STATE_MAX_BYTES * 4) / 3) + 1_024;
if (stateBudget > PULL_PAGE_MAX_BYTES) throw new Error('DOC_STATE_MAX_BYTES no longer fits one frame');

/** Yjs updates and state vectors travel as base64 inside the channel's JSON payloads. */
export const yjsBytes = (maxBytes: number) =>
	z
		.string()
		.max(Math.ceil((maxBytes * 4) / 3) + 4)
		.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Expected base64.');

export const toBase64 = (bytes: Uint8Array): string => encodeBase64(bytes);
export const fromBase64 = (text: string): Uint8Array => decodeBase64(text);
