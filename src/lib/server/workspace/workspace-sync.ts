import type { ClientMessage } from '$lib/protocol/channel';
import { CloseCode } from '$lib/protocol/close-codes';
import { workspaceChannel, type EventsFrame, type WorkspaceChannel } from '$lib/protocol/workspace-channel';
import {
	PULL_BUSY_RETRY_MS,
	PULL_RATE_BURST,
	PULL_RATE_WINDOW_MS,
	PULL_REFUSALS_MAX,
	PUSH_MAX_BYTES,
	PUSH_RATE_BURST,
	PUSH_RATE_WINDOW_MS,
	type LoggedEvent,
	type PendingEvent
} from '$lib/protocol/workspace-messages';
import { readClaimsVersion } from '$lib/server/auth/workspace/claims-version';
import { apiError } from '$lib/server/api-error';
import { log } from '$lib/server/log';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { RealtimeObject, type BaseAttachment } from '$lib/server/realtime/realtime-object';
import { TokenBuckets, type BucketLimit } from '$lib/server/realtime/token-bucket';
import { ASSISTANT_METHODS, AssistantHost, type AssistantMethod, type ConversationChange } from './assistant-host';
import { EventLog } from './event-log';
import { sendBurst, type BurstHost } from './pull-burst';
import { Revocations } from './revocations';
import { isTextMessage, TextSync, type TextSubscription } from './text-sync';
import { socketTokenExpired, workspaceSocketClaims, type WorkspaceSocketClaims } from './socket-claims';

export interface WorkspaceAttachment extends BaseAttachment {
	workspaceId: string;
	role: WorkspaceSocketClaims['role'];
	/** Caught up: receives new events as they are appended. */
	live: boolean;
	/**
	 * The id that ended the answer to this socket's last pull, until the socket's next pull returns it:
	 * while it is set, that answer may still be unread (see PULL_BUSY_RETRY_MS). Absent before the first
	 * pull (and on sockets accepted before this field existed).
	 */
	burstId?: string;
	/** `pull-in-progress` refusals in a row (PULL_REFUSALS_MAX). */
	pullRefusals?: number;
	/** The collaborative texts this socket has open (DOC_OPEN_MAX_PER_SOCKET). */
	texts?: TextSubscription[];
}

/**
 * One workspace's ordered event log and the sockets syncing it (push/pull after LiveStore's sync-cf).
 * A push is appended only when its parent is the current head, so every client applies the same events
 * in the same order; a client behind gets `server-ahead`, pulls, rebases its pending events and pushes
 * again. (client id, client seq) pairs make retried pushes idempotent.
 */
export class WorkspaceSync extends RealtimeObject<WorkspaceChannel, WorkspaceAttachment> {
	/** The per-user push budget; public so a test can lower it. */
	pushLimit: BucketLimit = { burst: PUSH_RATE_BURST, windowMs: PUSH_RATE_WINDOW_MS };
	/** The per-user pull budget; public so a test can lower it. */
	pullLimit: BucketLimit = { burst: PULL_RATE_BURST, windowMs: PULL_RATE_WINDOW_MS };
	private eventLog: EventLog;
	private buckets: TokenBuckets;
	/** Its own table: TokenBuckets prunes a table by one limit (commit 0f3a69f). */
	private pullBuckets: TokenBuckets;
	private revocations: Revocations;
	/** In memory: after a wake-up the first push prunes once, then at most every PRUNE_INTERVAL_MS. */
	private nextPruneAt = 0;
	/** The workspace's collaborative texts (doc bodies, task descriptions); public for tests. */
	readonly texts: TextSync;
	/** The assistant's tools, confirmations, budgets and conversation; public for tests. */
	readonly assistantHost: AssistantHost;
	/** What a pull's burst (pull-burst.ts) uses of this object. */
	private readonly burstHost: BurstHost;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env, workspaceChannel);
		this.eventLog = new EventLog(ctx.storage);
		this.buckets = new TokenBuckets(ctx.storage, 'push_buckets');
		this.pullBuckets = new TokenBuckets(ctx.storage, 'pull_buckets');
		this.revocations = new Revocations(ctx.storage);
		this.texts = new TextSync(ctx.storage, {
			subscribers: (textId) =>
				this.sockets().filter((ws) => this.attachment(ws)?.texts?.some((t) => t.textId === textId)),
			texts: (ws) => this.attachment(ws)?.texts ?? [],
			textsOpenBy: (identity) =>
				this.socketsOf(identity).reduce((n, ws) => n + (this.attachment(ws)?.texts?.length ?? 0), 0),
			setTexts: (ws, texts) => {
				const attachment = this.attachment(ws);
				if (attachment) this.setAttachment(ws, { ...attachment, texts });
			},
			send: (ws, type, payload) => this.send(ws, type, payload),
			sendAll: (sockets, type, payload) => {
				if (sockets.length === 0) return;
				const frame = this.wire.encodeServer(type, payload);
				for (const ws of sockets) this.sendFrame(ws, frame);
			},
			legacyBody: (docId) => this.eventLog.lastDocBody(docId),
			itemExists: (textId) => this.eventLog.itemExists(textId)
		});
		this.burstHost = {
			eventLog: this.eventLog,
			wire: () => this.wire,
			sendFrame: (ws, frame) => this.sendFrame(ws, frame),
			attachment: (ws) => this.attachment(ws),
			setAttachment: (ws, attachment) => this.setAttachment(ws, attachment)
		};
		this.assistantHost = new AssistantHost({
			storage: ctx.storage,
			eventLog: this.eventLog,
			texts: this.texts,
			publish: (logged) => this.publish(logged),
			tell: (change) => this.tellMembers(change)
		});
	}

	/**
	 * The assistant's calls from its routes (reads, writes as the asking person, confirmations, budgets,
	 * the conversation): one RPC entry point onto AssistantHost's methods named in ASSISTANT_METHODS.
	 */
	async assistant<K extends AssistantMethod>(method: K, ...args: Parameters<AssistantHost[K]>) {
		if (!ASSISTANT_METHODS.includes(method)) throw new Error(`No assistant method ${String(method)}.`);
		const call = this.assistantHost[method] as (...a: Parameters<AssistantHost[K]>) => ReturnType<AssistantHost[K]>;
		return call.apply(this.assistantHost, args);
	}

	// ---- RPC for worker routes ------------------------------------------------------------------

	/**
	 * A member was removed or changed role: refuse their tokens below `minVersion` here even before KV
	 * has propagated the bump, and close their sockets — with 1008 when they were removed (the client
	 * stops), with 4001 when only their claims changed (the client reconnects with a fresh token).
	 */
	async revokeUser(
		userId: string,
		minVersion: number,
		change: 'removed' | 'claims-changed' = 'removed'
	): Promise<number> {
		const [code, reason] =
			change === 'removed'
				? [CloseCode.policy, 'Your workspace membership was removed.']
				: [CloseCode.claimsChanged, 'Your workspace membership changed: reconnect.'];
		this.revocations.raise(userId, minVersion);
		const closed = this.closeWhere((a) => a.identity.kind === 'user' && a.identity.id === userId, code, reason);
		log('info', 'workspace member sockets closed', { userId, closed, code });
		return closed;
	}

	/** Starts a new empty log under a new backend id; connected clients are told and start over. */
	async resetLog(): Promise<string> {
		const backendId = this.eventLog.reset();
		for (const ws of this.sockets()) {
			const attachment = this.attachment(ws);
			if (attachment) this.setAttachment(ws, { ...attachment, live: false });
			this.send(ws, 'reset', { backendId, head: 0 });
		}
		return backendId;
	}

	/** Forgets idle client ids (see CLIENT_IDLE_MS); runs from pushes at most daily, callable by operators. */
	async pruneIdleClients(now = Date.now()): Promise<number> {
		this.nextPruneAt = now + PRUNE_INTERVAL_MS;
		return this.eventLog.pruneIdleClients(now);
	}

	async status(): Promise<{ backendId: string; head: number; sockets: number }> {
		return { backendId: this.eventLog.backendId, head: this.eventLog.head, sockets: this.sockets().length };
	}

	/** The log after `cursor` (tests, service reads). */
	async readLog(cursor = 0, limit = 10_000): Promise<LoggedEvent[]> {
		return this.eventLog.read(cursor, limit);
	}

	// ---- socket hooks ---------------------------------------------------------------------------

	protected async onConnect(identity: SocketIdentity): Promise<WorkspaceAttachment | Response> {
		const claims = workspaceSocketClaims(identity);
		if (!claims) return apiError(403, 'no-workspace-claim', 'No workspace claim for this socket.');
		const bound = this.eventLog.meta('workspace_id');
		if (bound === null) this.eventLog.setMeta('workspace_id', claims.workspaceId);
		else if (bound !== claims.workspaceId)
			return apiError(403, 'wrong-workspace', 'This socket was routed to another workspace.');

		if (identity.kind === 'user') {
			// Never trust the worker's cache here: a fresh KV read plus this object's own revocations.
			const current = await readClaimsVersion(this.env, identity.id, true);
			if (claims.claimsVersion < Math.max(current, this.revocations.minVersion(identity.id))) {
				return apiError(401, 'claims-stale', 'Your workspace claims are out of date: fetch a new token.');
			}
		}
		return { identity, connectedAt: Date.now(), workspaceId: claims.workspaceId, role: claims.role, live: false };
	}

	protected onOpen(ws: WebSocket, attachment: WorkspaceAttachment) {
		this.send(ws, 'hello', {
			backendId: this.eventLog.backendId,
			head: this.eventLog.head,
			userId: attachment.identity.id,
			role: attachment.role
		});
	}

	protected onMessage(ws: WebSocket, message: ClientMessage<WorkspaceChannel>, attachment: WorkspaceAttachment) {
		// A socket this object closed still delivers what its client had sent before: nothing to answer.
		if (ws.readyState !== WebSocket.OPEN) return;
		if (socketTokenExpired(attachment.identity, Date.now())) {
			// Not served, not logged: the client reconnects with a fresh token and pushes it again.
			ws.close(CloseCode.tokenExpired, TOKEN_EXPIRED_REASON);
			return;
		}
		if (isTextMessage(message)) {
			const caller = { identity: attachment.identity, canEdit: attachment.role !== 'viewer' };
			return this.texts.receive(ws, caller, message);
		}
		if (message.type === 'pull') {
			const { cursor, backendId, lastBurstId } = message.payload;
			if (this.admitPull(ws, attachment, lastBurstId ?? null))
				return this.pull(ws, attachment, message.seq, cursor, backendId);
		} else this.push(ws, attachment, message.seq, message.payload.parent, message.payload.events);
	}

	protected onClose(_ws: WebSocket, attachment: WorkspaceAttachment) {
		if (attachment.texts?.length) this.texts.socketGone(attachment.texts);
	}

	// ---- pull / push ------------------------------------------------------------------------------

	/**
	 * One burst outstanding per socket, then the user's pull budget. The outstanding check comes first
	 * and writes nothing unless it refuses: a flood from a socket that does not read costs no bucket
	 * writes, and after PULL_REFUSALS_MAX refusals in a row it is closed. Returns false when it closed.
	 */
	private admitPull(ws: WebSocket, attachment: WorkspaceAttachment, lastBurstId: string | null): boolean {
		if (attachment.burstId !== undefined && lastBurstId !== attachment.burstId) {
			const refusals = (attachment.pullRefusals ?? 0) + 1;
			if (refusals > PULL_REFUSALS_MAX) {
				log('warn', 'workspace socket closed: pulls while its burst was unread', { userId: attachment.identity.id });
				ws.close(CloseCode.violation, 'Too many pulls before reading the last one.');
				return false;
			}
			this.setAttachment(ws, { ...attachment, pullRefusals: refusals });
			throw new ProtocolError(
				'pull-in-progress',
				'The answer to your last pull is not read yet: pull again with its burstId as lastBurstId.',
				PULL_BUSY_RETRY_MS
			);
		}
		const retryAfterMs = this.pullBuckets.take(attachment.identity.id, this.pullLimit);
		if (retryAfterMs > 0) {
			throw new ProtocolError('pull-rate-limited', `Too many pulls: retry in ${retryAfterMs} ms.`, retryAfterMs);
		}
		return true;
	}

	/**
	 * Answers one pull (request number `seq`) from `cursor`: `reset` when the cursor means nothing here,
	 * else one bounded burst of pages (pull-burst.ts), sent as they are built. The answer's last frame
	 * carries a fresh `burstId`, outstanding from now until the socket's next pull returns it; the socket
	 * is not live until the burst reaches the end of the log.
	 */
	private pull(
		ws: WebSocket,
		attachment: WorkspaceAttachment,
		seq: number,
		cursor: number,
		backendId: string | null
	): Promise<void> | void {
		const current = this.eventLog.backendId;
		const head = this.eventLog.head;
		const burstId = crypto.randomUUID();
		if ((backendId !== null && backendId !== current) || cursor > head) {
			this.setAttachment(ws, { ...attachment, burstId, pullRefusals: 0 });
			this.send(ws, 'reset', { backendId: current, head, burstId }, seq);
			return;
		}
		this.setAttachment(ws, { ...attachment, live: false, burstId, pullRefusals: 0 });
		const { identity } = attachment;
		return sendBurst(this.burstHost, ws, { seq, identity, cursor, backendId: current, head, burstId });
	}

	/** Appends one push (request number `seq`) whose parent is the head, or says why not. */
	private push(ws: WebSocket, attachment: WorkspaceAttachment, seq: number, parent: number, events: PendingEvent[]) {
		if (attachment.role === 'viewer') throw new ProtocolError('forbidden', 'Viewers cannot edit this workspace.');
		// A compressed frame can decode to far more than the inbound cap; the live frame re-broadcasting
		// these events must stay under PULL_PAGE_MAX_BYTES (see PUSH_MAX_BYTES).
		const pushBytes = encoder.encode(JSON.stringify({ parent, events })).byteLength;
		if (pushBytes > PUSH_MAX_BYTES) {
			throw new ProtocolError(
				'push-too-large',
				`A push may carry ${PUSH_MAX_BYTES} bytes of events, not ${pushBytes}.`
			);
		}
		const userId = attachment.identity.id;
		const retryAfterMs = this.buckets.take(userId, this.pushLimit);
		if (retryAfterMs > 0) {
			throw new ProtocolError('rate-limited', `Too many pushes: retry in ${retryAfterMs} ms.`, retryAfterMs);
		}

		// Retries: events already in the log are acknowledged with their seqs, never appended twice.
		const known: number[] = [];
		const fresh: PendingEvent[] = [];
		const lastSeqByClient = new Map<string, number>();
		for (const event of events) {
			const owner = this.eventLog.clientOwner(event.clientId);
			if (owner && owner.userId !== userId) {
				throw new ProtocolError('forbidden', 'That client id belongs to another user.');
			}
			const stored = this.eventLog.stored(event.clientId, event.clientSeq);
			if (stored !== null) {
				const content = EventLog.content(event);
				if (stored.name !== content.name || stored.args !== content.args) {
					// Not a retry: a different edit reusing the pair would be silently lost as a "duplicate".
					throw new ProtocolError(
						'conflicting-retry',
						`Client ${event.clientId} already used sequence ${event.clientSeq} for a different event.`
					);
				}
				known.push(stored.seq);
				continue;
			}
			const previous = lastSeqByClient.get(event.clientId) ?? owner?.lastClientSeq ?? 0;
			if (event.clientSeq <= previous) {
				throw new ProtocolError(
					'out-of-order',
					`Client sequence ${event.clientSeq} is not after ${previous} for client ${event.clientId}.`
				);
			}
			lastSeqByClient.set(event.clientId, event.clientSeq);
			fresh.push(event);
		}
		const head = this.eventLog.head;
		if (fresh.length === 0) {
			this.send(ws, 'ack', { head, seqs: known }, seq);
			return;
		}
		if (parent !== head) {
			this.send(ws, 'push-rejected', { reason: 'server-ahead', head }, seq);
			return;
		}
		this.publish(this.eventLog.append(fresh, userId), ws);
	}

	/**
	 * Sends appended events to every live socket, and to the pusher even if it had not finished pulling:
	 * it is not live, but its parent was the head, so it needs these events too. Also the assistant's path.
	 */
	private publish(logged: LoggedEvent[], pusher?: WebSocket) {
		for (const event of logged) {
			// A deleted doc's or task's text is kept a while for Undo, which re-creates it under the same id.
			if (event.name === 'doc.deleted') this.texts.deleted(`doc:${event.args.id}`);
			else if (event.name === 'task.deleted') this.texts.deleted(`task:${event.args.id}`);
			else if (event.name === 'doc.created') this.texts.restored(`doc:${event.args.id}`);
			else if (event.name === 'task.created') this.texts.restored(`task:${event.args.id}`);
		}
		if (Date.now() >= this.nextPruneAt) void this.pruneIdleClients();
		const live: EventsFrame = {
			backendId: this.eventLog.backendId,
			events: logged,
			head: logged.at(-1)!.seq,
			more: false,
			pullAgain: false,
			live: true
		};
		// A socket that only listens never reaches onMessage: its token's end is checked here, where it would be sent to.
		this.closeWhere((a) => socketTokenExpired(a.identity, Date.now()), CloseCode.tokenExpired, TOKEN_EXPIRED_REASON);
		const frame = this.wire.encodeServer('events', live); // encoded once for every socket
		for (const socket of this.sockets()) {
			if (socket === pusher || this.attachment(socket)?.live) this.sendFrame(socket, frame);
		}
	}

	/** The assistant's conversation changed: every member's socket (viewers too; removed ones are closed). */
	private tellMembers({ type, payload }: ConversationChange) {
		const frame = this.wire.encodeServer(type, payload as never);
		for (const ws of this.sockets()) if (this.attachment(ws)?.identity.kind === 'user') this.sendFrame(ws, frame);
	}
}

const encoder = new TextEncoder();
const TOKEN_EXPIRED_REASON = 'Your workspace token expired: reconnect with a fresh one.';
/** Idle client ids are pruned at most this often (a daily sweep is plenty for a 30-day idle limit). */
const PRUNE_INTERVAL_MS = 24 * 60 * 60 * 1000;
