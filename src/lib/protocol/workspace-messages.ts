import { z } from 'zod';
import { workspaceEventWith } from './workspace-events';

/**
 * The workspace sync protocol's limits and its event shapes, after LiveStore's sync-cf: clients pull the
 * log from a cursor in pages, then receive new events live; they push batches of events that must name
 * the current head as their parent, or get `server-ahead` and must pull and rebase first. The messages
 * themselves (and their error codes) are the channel contract in workspace-channel.ts.
 */

/**
 * At most 250 events per pull frame, so one frame never stalls a slow client for long (250 small events
 * decode and validate in about a millisecond). Was 100: each frame costs both ends and the wire a fixed
 * share, and a 10,000-event catch-up in 100 frames spent more time between frames than in them
 * (bench:workspace).
 */
export const PULL_PAGE_MAX_EVENTS = 250;
/**
 * At most 900 KB per pull frame: under the 1 MiB WebSocket message limit of Cloudflare's edge
 * (developers.cloudflare.com/durable-objects/platform/limits) with room for the envelope.
 */
export const PULL_PAGE_MAX_BYTES = 900_000;
/**
 * One pull is answered with a burst of at most this many pages (10,000 small events per round trip), so
 * one pull of a huge log neither monopolises the object nor needs a round trip per page.
 */
export const PULL_BURST_MAX_PAGES = 40;
/**
 * …and at most this many bytes of pages: a socket's outbound frames are buffered in memory until the
 * client reads them, so a burst of 50 full 900 KB pages (45 MB) per pull would let one slow client pin
 * tens of MB. 4 MB is still several full-size pages, i.e. one round trip per ~4 MB of catch-up.
 */
export const PULL_BURST_MAX_BYTES = 4_000_000;
/** A push batch is bounded like a pull page, so a client flushing a long offline queue sends several. */
export const PUSH_MAX_EVENTS = 100;
/**
 * Largest push: its JSON payload (the events as sent), checked after decoding, since a compressed frame
 * can be far smaller than what it decodes to. It is also the channel's inbound frame cap (a frame is at
 * most its payload plus a 24-byte header): a runaway client gets 1009. Below PULL_PAGE_MAX_BYTES because
 * the server re-broadcasts an accepted batch with seq, parent, userId and serverAt added to every event
 * (≈ 150 bytes × 100 events + envelope): an 850 KB push still goes out under 900 KB.
 */
export const PUSH_MAX_BYTES = 850_000;
/**
 * Push frames one user may send per workspace: a burst of 600, refilled at 600 per 10 s (60/s). The
 * engine keeps one push in flight and batches whatever was edited meanwhile, so even 100 edits/s from
 * one person rarely needs 60 frames/s; a runaway client (a retry loop) is held to that rate and told
 * when to come back (`rate-limited` with retryAfterMs), instead of keeping the object busy.
 */
export const PUSH_RATE_BURST = 600;
export const PUSH_RATE_WINDOW_MS = 10_000;
/**
 * Pull requests one user may send per workspace, in their own bucket table (a table is pruned by one
 * limit). The engine pulls once per connect, once per burst of catch-up (a 400 MB log at 4 MB a burst)
 * and once after each push refused as `server-ahead`, so pulls get the push budget's rate: a lower one
 * would make contended editing wait on pulls rather than pushes. Memory is bounded by the one-burst rule
 * below, not by this budget; the budget bounds the work a reading client can ask for. Refusals are
 * `pull-rate-limited` with retryAfterMs.
 */
export const PULL_RATE_BURST = 600;
export const PULL_RATE_WINDOW_MS = 10_000;
/**
 * At most one pull burst is outstanding per socket. `ws.send()` never blocks: a burst's frames sit in the
 * object's memory until the client reads them, so a socket that sends pulls without reading made the
 * object buffer one burst per pull (400 pulls of a 1.2 MB log: ~300 MB, over the 128 MB an object may
 * use). Only the client can prove it has read a burst: the answer to every pull (its last page, or a
 * `reset`) carries a random `burstId`, and the socket's next pull must carry it back as `lastBurstId`.
 * A pull without it gets `pull-in-progress`, which costs the server one small frame and no burst.
 * The engine never has two pulls open, so it meets this only in a race; it asks again after this long.
 */
export const PULL_BUSY_RETRY_MS = 1_000;
/**
 * …and a socket that keeps pulling while its burst is unread is closed (4005, violation) after this many
 * `pull-in-progress` refusals in a row, so even the small error frames cannot pile up without bound.
 * The engine gets at most one in a row (it then waits PULL_BUSY_RETRY_MS holding the burst's id).
 */
export const PULL_REFUSALS_MAX = 8;
/** Client ids are random UUIDs; the bound only stops abuse. */
export const CLIENT_ID_MAX = 64;

export const clientId = z
	.string()
	.min(8)
	.max(CLIENT_ID_MAX)
	.regex(/^[A-Za-z0-9_-]+$/);

/** What a client adds to an event: its own id and per-client sequence make retries idempotent. */
const proposed = {
	clientId,
	clientSeq: z.number().int().positive(),
	/** Client clock when the edit was made (ms); informative only, ordering is the server's. */
	at: z.number().int().nonnegative()
};
const seq = z.number().int().nonnegative();

/** An event as a client proposes it. */
export const pendingEvent = workspaceEventWith(proposed);
export type PendingEvent = z.infer<typeof pendingEvent>;

/** An event as stored in the log: `seq` is assigned by the server, `parent` is the head it was appended to. */
export const loggedEvent = workspaceEventWith({
	...proposed,
	seq: seq.min(1),
	parent: seq,
	/** Who pushed it (server-set user id). */
	userId: z.string(),
	/** Server time of the append (ms). */
	serverAt: z.number().int().nonnegative()
});
export type LoggedEvent = z.infer<typeof loggedEvent>;

/** The key that identifies one proposed event everywhere (pending queues, acks, idempotency). */
export function eventKey(event: { clientId: string; clientSeq: number }): string {
	return `${event.clientId}#${event.clientSeq}`;
}
