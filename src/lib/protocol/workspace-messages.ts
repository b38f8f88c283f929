import { z } from 'zod';
import { workspaceEvent, type WorkspaceEvent } from './workspace-events';

/**
 * The workspace sync wire protocol (JSON text frames), after LiveStore's sync-cf: clients pull the log
 * from a cursor in pages, then receive new events live; they push batches of events that must name the
 * current head as their parent, or get `server-ahead` and must pull and rebase first.
 */

/** At most 100 events per pull frame (issue limit), so one frame never stalls a slow client for long. */
export const PULL_PAGE_MAX_EVENTS = 100;
/**
 * At most 900 KB per pull frame: under the 1 MiB WebSocket message limit of Cloudflare's edge
 * (developers.cloudflare.com/durable-objects/platform/limits) with room for the envelope.
 */
export const PULL_PAGE_MAX_BYTES = 900_000;
/** A push batch is bounded like a pull page, so a client flushing a long offline queue sends several. */
export const PUSH_MAX_EVENTS = 100;
/** Largest inbound frame; a full batch of large doc edits still fits, a runaway client gets 1009. */
export const PUSH_MAX_BYTES = 900_000;
/** Client ids are random UUIDs; the bound only stops abuse. */
export const CLIENT_ID_MAX = 64;

export const clientId = z
	.string()
	.min(8)
	.max(CLIENT_ID_MAX)
	.regex(/^[A-Za-z0-9_-]+$/);

/** An event as a client proposes it: its own id and per-client sequence make retries idempotent. */
export const pendingEvent = z.intersection(
	workspaceEvent,
	z.object({
		clientId,
		clientSeq: z.number().int().positive(),
		/** Client clock when the edit was made (ms); informative only, ordering is the server's. */
		at: z.number().int().nonnegative()
	})
);
export type PendingEvent = WorkspaceEvent & { clientId: string; clientSeq: number; at: number };

/** An event as stored in the log: `seq` is assigned by the server, `parent` is the head it was appended to. */
export type LoggedEvent = PendingEvent & {
	seq: number;
	parent: number;
	/** Who pushed it (server-set user id). */
	userId: string;
	/** Server time of the append (ms). */
	serverAt: number;
};

export const workspaceClientMessage = z.discriminatedUnion('type', [
	z.object({
		type: z.literal('pull'),
		/** Highest seq the client already has; 0 for nothing. */
		cursor: z.number().int().nonnegative(),
		/** The backend id the cursor belongs to; null when the client has none yet. */
		backendId: z.string().max(64).nullable()
	}),
	z.object({
		type: z.literal('push'),
		parent: z.number().int().nonnegative(),
		events: z.array(pendingEvent).min(1).max(PUSH_MAX_EVENTS)
	})
]);
export type WorkspaceClientMessage =
	{ type: 'pull'; cursor: number; backendId: string | null } | { type: 'push'; parent: number; events: PendingEvent[] };

export type WorkspaceServerMessage =
	| { type: 'hello'; backendId: string; head: number; userId: string; role: string }
	/** One page of a pull (`live: false` means ask again from the new cursor), or live events (`live: true`). */
	| { type: 'events'; backendId: string; events: LoggedEvent[]; head: number; more: boolean; live: boolean }
	/** The pull's backend id did not match: the log was reset and the client must drop its cursor. */
	| { type: 'reset'; backendId: string; head: number }
	/** The push's events were all stored before (a retry): their seqs, nothing appended. */
	| { type: 'ack'; head: number; seqs: number[] }
	| { type: 'push-rejected'; reason: 'server-ahead'; head: number }
	| { type: 'error'; code: string; message: string };

export type WorkspaceEventsFrame = Extract<WorkspaceServerMessage, { type: 'events' }>;
