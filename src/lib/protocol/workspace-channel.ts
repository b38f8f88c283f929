import { z } from 'zod';
import { MESSAGE_MAX_BYTES } from '../assistant/limits';
import { defineChannel, type ChannelErrorCode, type ServerMessageOf } from './channel';
import { FRAME_OVERHEAD_BYTES } from './codec';
import { AWARENESS_MAX_BYTES, DOC_STATE_MAX_BYTES, DOC_UPDATE_MAX_BYTES, textId, yjsBytes } from './doc-limits';
import { loggedEvent, pendingEvent, PUSH_MAX_BYTES, PUSH_MAX_EVENTS } from './workspace-messages';

/**
 * The workspace sync channel: the one contract of the WorkspaceSync Durable Object, its socket route and
 * the browser's SyncEngine. Every frame is a codec frame (a pull page of 250 events is LZ4-compressed);
 * a frame's seq is the client's request number, echoed by the frames that answer it.
 *
 * A pull is answered by one burst of `events` pages (or by `reset`); the burst's last frame carries a
 * `burstId` the socket's next pull must send back as `lastBurstId` (one burst outstanding per socket,
 * PULL_BUSY_RETRY_MS). A push is answered by the live `events` frame that appends it, by `ack` (a retry:
 * all of it was stored before) or by `push-rejected` (server ahead: pull, rebase, push again).
 *
 * Collaborative texts (doc bodies, task descriptions) are Yjs documents on the same socket, after the
 * y-protocols sync: `doc-open` sends the client's state vector and subscribes the socket; `doc-sync`
 * answers with what the client lacks and the server's state vector, from which the client sends what the
 * server lacks as a `doc-update`. Later updates flow both ways as `doc-update`, cursors as
 * `doc-awareness`. Errors about a text carry its id as `ref`, so the event log's engine never sees them.
 */
/** Twice the limit on the wire, so an update over DOC_UPDATE_MAX_BYTES gets its own error code (with `ref`). */
const clientUpdate = yjsBytes(2 * DOC_UPDATE_MAX_BYTES);
const update = yjsBytes(DOC_UPDATE_MAX_BYTES);
/** A state vector is a few bytes per client that ever edited the text. */
const stateVector = yjsBytes(64 * 1024);

const seq = z.number().int().nonnegative();
const backendId = z.string().max(64);
/** The answer to a pull: its last frame carries this id, to be returned as the next pull's `lastBurstId`. */
const burstId = z.string().max(64);

/** One message of the workspace's assistant conversation, as stored: AI SDK UI message parts, capped. */
const assistantMessage = z.object({
	id: z.string().min(1).max(64),
	role: z.enum(['user', 'assistant']),
	/** Who asked (for an answer: whose question it answers). */
	userId: z.string().max(128),
	at: z.number().int().nonnegative(),
	parts: z
		.array(z.unknown())
		.refine((parts) => new TextEncoder().encode(JSON.stringify(parts)).byteLength <= MESSAGE_MAX_BYTES, {
			message: `An assistant message may hold ${MESSAGE_MAX_BYTES} bytes.`
		})
});
const actionStatus = z.enum(['pending', 'applied', 'cancelled', 'undone', 'failed']);

export const workspaceChannel = defineChannel({
	name: 'workspace',
	/** 2: docs became Yjs texts; a version-1 page still writes whole bodies nobody would see. */
	version: 2,
	client: {
		pull: {
			type: 1,
			schema: z.object({
				/** Highest seq the client already has; 0 for nothing. */
				cursor: seq,
				/** The backend id the cursor belongs to; null when the client has none yet. */
				backendId: backendId.nullable(),
				/** The `burstId` that ended the answer to this socket's previous pull; absent on its first pull. */
				lastBurstId: burstId.nullish()
			})
		},
		push: {
			type: 2,
			schema: z.object({ parent: seq, events: z.array(pendingEvent).min(1).max(PUSH_MAX_EVENTS) })
		},
		/** Subscribe to a text and start its sync: the client's Yjs state vector. */
		'doc-open': { type: 3, schema: z.object({ textId, stateVector }) },
		/** A Yjs update made by this client (or what the server lacked after `doc-sync`). */
		'doc-update': { type: 4, schema: z.object({ textId, update: clientUpdate }) },
		/** Unsubscribe (the editor closed); the client's cursor is removed for the others. */
		'doc-close': { type: 5, schema: z.object({ textId }) },
		/** A y-protocols awareness update of this client's own state (cursor, selection, name, colour). */
		'doc-awareness': { type: 6, schema: z.object({ textId, update: yjsBytes(AWARENESS_MAX_BYTES) }) }
	},
	server: {
		/** First frame on every socket: which log this is, its head, and who the socket is. */
		hello: { type: 1, schema: z.object({ backendId, head: seq, userId: z.string(), role: z.string() }) },
		/**
		 * One page of a pull's burst (`live: false`) or newly appended events (`live: true`). For pull pages:
		 * `more` says events exist after this page; `pullAgain` is set only on the LAST page of a burst that
		 * stopped before the end of the log — the client then sends one new pull from its cursor. A page with
		 * `more: false` ends the catch-up: the socket is live from then on. Pages with `more` and without
		 * `pullAgain` are followed by further pages of the same burst: the client just waits.
		 */
		events: {
			type: 2,
			schema: z.object({
				backendId,
				events: z.array(loggedEvent),
				head: seq,
				more: z.boolean(),
				pullAgain: z.boolean(),
				live: z.boolean(),
				/** Only on the last page of a pull's burst: send it back as the next pull's `lastBurstId`. */
				burstId: burstId.optional()
			})
		},
		/**
		 * The pull's backend id did not match, or its cursor is past the head (e.g. storage restored from an
		 * older backup), or the log was reset: the client's cursor means nothing here, so it drops it and
		 * pulls from 0. `burstId` is set when the reset answers a pull; absent on a server-wide reset.
		 */
		reset: { type: 3, schema: z.object({ backendId, head: seq, burstId: burstId.optional() }) },
		/** The push's events were all stored before (a retry): their seqs, nothing appended. */
		ack: { type: 4, schema: z.object({ head: seq, seqs: z.array(seq) }) },
		/** The push's parent is not the head: pull the missing events, rebase, push again. */
		'push-rejected': { type: 5, schema: z.object({ reason: z.literal('server-ahead'), head: seq }) },
		/** The answer to `doc-open`: the update the client lacks, and the server's state vector. */
		'doc-sync': { type: 6, schema: z.object({ textId, update: yjsBytes(DOC_STATE_MAX_BYTES), stateVector }) },
		/** Another client's update to a text this socket has open. */
		'doc-update': { type: 7, schema: z.object({ textId, update }) },
		/** Another client's awareness update (relayed as sent). */
		'doc-awareness': { type: 8, schema: z.object({ textId, update: yjsBytes(AWARENESS_MAX_BYTES) }) },
		/**
		 * Someone opened the text (`joined`: send your awareness again so they see you) or left it
		 * (`left`: drop these awareness client ids now rather than after the 30 s awareness timeout).
		 */
		'doc-presence': {
			type: 9,
			schema: z.object({
				textId,
				event: z.enum(['joined', 'left']),
				clients: z.array(z.number().int().nonnegative()).max(64)
			})
		},
		/**
		 * A message of the assistant conversation was stored (a question when asked, an answer when its
		 * turn ended), sent to every member's socket; the panel adds it or, for the same id, replaces it.
		 * Added without a version bump: a version-2 page refuses the unknown type as one invalid frame and
		 * goes on, where a bump would close every open workspace tab with "reload".
		 */
		'assistant-message': { type: 10, schema: z.object({ message: assistantMessage }) },
		/** An assistant action was confirmed, cancelled or undone (or failed on confirmation). */
		'assistant-action': { type: 11, schema: z.object({ actionId: z.string().max(64), status: actionStatus }) }
	},
	/**
	 * Besides the common codes (`rate-limited` answers a push, with retryAfterMs; `forbidden` a viewer's
	 * push or a client id of another user): refusals of a pull, which the client waits out (retryAfterMs)
	 * and then pulls again, and refusals of a push's events that will be the same every time.
	 */
	errors: [
		'pull-in-progress',
		'pull-rate-limited',
		'out-of-order',
		'conflicting-retry',
		'push-too-large',
		/** Text refusals (`ref` is the text id); the text on the server is unchanged by any of them. */
		'doc-update-too-large',
		'doc-too-large',
		'doc-corrupt-update',
		'doc-not-open',
		'doc-open-limit',
		'doc-count-limit',
		/** The doc or task the text belongs to does not exist (yet: its creation may still be on its way). */
		'doc-not-found',
		'awareness-refused'
	],
	/** A push frame is never longer than its payload plus the header; PUSH_MAX_BYTES bounds the payload. */
	maxInboundBytes: PUSH_MAX_BYTES + FRAME_OVERHEAD_BYTES
});
export type WorkspaceChannel = typeof workspaceChannel;
export type WorkspaceErrorCode = ChannelErrorCode<WorkspaceChannel>;
export type EventsFrame = ServerMessageOf<WorkspaceChannel, 'events'>['payload'];

/** Codes that refuse a pull: wait `retryAfterMs`, then pull again. Never sent for a push. */
export const PULL_REFUSALS: ReadonlySet<WorkspaceErrorCode> = new Set(['pull-in-progress', 'pull-rate-limited']);

/**
 * Codes that refuse a push's events and will refuse them the same way every time: retrying would block
 * the client's queue forever, so the offending events are dropped.
 */
export const REFUSED_EVENT_CODES: ReadonlySet<WorkspaceErrorCode> = new Set([
	'forbidden',
	'bad-message',
	'out-of-order',
	'conflicting-retry',
	'push-too-large'
]);
