import type { ClientKind, ClientPayload, ServerMessage } from '$lib/protocol/channel';
import {
	PULL_REFUSALS,
	REFUSED_EVENT_CODES,
	type EventsFrame,
	type WorkspaceChannel,
	type WorkspaceErrorCode
} from '$lib/protocol/workspace-channel';
import { workspaceEvent, type WorkspaceEvent } from '$lib/protocol/workspace-events';
import {
	eventKey as key,
	PUSH_MAX_BYTES,
	PUSH_MAX_EVENTS,
	type LoggedEvent,
	type PendingEvent
} from '$lib/protocol/workspace-messages';
import { emptyWorkspace, replay, type WorkspaceState } from '$lib/protocol/workspace-reducer';
import type { PendingStore, Snapshot } from './pending-store';
import { PullGate } from './pull-gate';
import { randomId } from '$lib/random-id';

/**
 * The client half of workspace sync, free of browser and socket APIs so the same code runs in the page
 * (IndexedDB, and openChannel decoding the frames) and in the tests and benchmark (engine-wire.ts feeding
 * it the bytes of a workerd or Node socket). It speaks the channel contract's messages, already validated.
 *
 * State = the confirmed log (folded into `confirmed` up to `cursor`) plus the pending local events,
 * replayed on top. Rebasing is that replay: when pulled events move the head, pending events are
 * re-applied on the new confirmed state and pushed with the new head as their parent. Pending events
 * are written to the store before they are sent, so an edit made offline survives a reload.
 */

export type SyncStatus = 'synced' | 'syncing' | 'offline' | 'error';

/** What the transport gives the engine to send one request (numbered by the engine). */
export type WorkspaceSend = <N extends ClientKind<WorkspaceChannel>>(
	type: N,
	payload: ClientPayload<WorkspaceChannel, N>,
	seq: number
) => void;

export interface SyncView {
	state: WorkspaceState;
	status: SyncStatus;
	pending: number;
	cursor: number;
	backendId: string | null;
	error: string | null;
	/** Local edits the server refused for good (forbidden, invalid, out of order) and that were dropped. */
	dropped: number;
}

/** Conservative room for the push envelope ({"parent":…,"events":[]}) under PUSH_MAX_BYTES. */
const PUSH_ENVELOPE_BYTES = 1_024;
/** Confirmed state is written to the store at most this often, so a long catch-up is not one write per page. */
const SNAPSHOT_DELAY_MS = 500;
/** Error code of the server's push rate limit: wait `retryAfterMs`, then push again. */
const RATE_LIMITED = 'rate-limited';

type Phase = 'offline' | 'pulling' | 'live';

export class SyncEngine {
	/** Fresh per engine instance: its client sequence can start at 1 without persisting a counter. */
	readonly clientId: string;
	private nextClientSeq = 1;
	private backendId: string | null = null;
	private cursor = 0;
	private confirmed: WorkspaceState = emptyWorkspace();
	/**
	 * Confirmed events (up to `cursor`) not yet folded into `confirmed`: the pages of one pull burst are
	 * folded together when the burst ends, one copy of the board per burst rather than per page.
	 */
	private unfolded: LoggedEvent[] = [];
	private pending: PendingEvent[] = [];
	private optimistic: WorkspaceState = emptyWorkspace();
	private phase: Phase = 'offline';
	private send: WorkspaceSend | null = null;
	/** Request numbers of this engine's frames (the server echoes them in its answers). */
	private requestSeq = 0;
	private inFlight: Set<string> | null = null;
	private error: string | null = null;
	private dropped = 0;
	/**
	 * After a batch was refused for good, this many of the next events are pushed one per batch, so the
	 * bad one is found and dropped alone and the good ones around it still reach the log.
	 */
	private isolate = 0;
	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	/** One pull open at a time, each proving the previous answer was read (the server's one-burst rule). */
	private readonly pulls = new PullGate((lastBurstId) =>
		this.send?.('pull', { cursor: this.cursor, backendId: this.backendId, lastBurstId }, ++this.requestSeq)
	);
	private snapshotTimer: ReturnType<typeof setTimeout> | null = null;
	/** Confirmed events arrived since the last snapshot was written. */
	private snapshotDue = false;
	private listeners = new Set<(view: SyncView) => void>();

	readonly workspaceId: string;
	private readonly store: PendingStore;

	// Plain fields, not parameter properties: the benchmark runs this file under Node's type stripping.
	constructor(workspaceId: string, store: PendingStore, clientId: string = randomId()) {
		this.workspaceId = workspaceId;
		this.store = store;
		this.clientId = clientId;
	}

	/** Loads the last snapshot and every pending event left by earlier sessions (they are adopted and pushed). */
	async init(): Promise<void> {
		const [snapshot, pending] = await Promise.all([
			this.store.loadSnapshot(this.workspaceId),
			this.store.loadPending(this.workspaceId)
		]);
		if (snapshot) {
			this.backendId = snapshot.backendId;
			this.cursor = snapshot.cursor;
			this.confirmed = snapshot.state;
		}
		this.pending = pending;
		this.recompute();
	}

	subscribe(listener: (view: SyncView) => void): () => void {
		this.listeners.add(listener);
		listener(this.view());
		return () => this.listeners.delete(listener);
	}

	view(): SyncView {
		return {
			state: this.optimistic,
			status: this.status(),
			pending: this.pending.length,
			cursor: this.cursor,
			backendId: this.backendId,
			error: this.error,
			dropped: this.dropped
		};
	}

	/** The log as this client has confirmed it (tests compare it with the server's replay). */
	get confirmedState(): WorkspaceState {
		this.fold();
		return this.confirmed;
	}

	/** Records a local edit: validated, applied optimistically, stored, then pushed when possible. */
	async commit(event: WorkspaceEvent): Promise<void> {
		const valid = workspaceEvent.parse(event);
		const pending = {
			...valid,
			clientId: this.clientId,
			clientSeq: this.nextClientSeq++,
			at: Date.now()
		} as PendingEvent;
		this.pending.push(pending);
		this.recompute();
		await this.store.addPending(this.workspaceId, pending);
		this.flush();
	}

	// ---- transport events -------------------------------------------------------------------------

	connected(send: WorkspaceSend): void {
		this.send = send;
		this.error = null;
		this.pulls.reset();
		this.pull();
	}

	disconnected(): void {
		this.send = null;
		this.phase = 'offline';
		if (this.snapshotDue) this.scheduleSnapshot(); // what a cut-short catch-up brought
		this.inFlight = null;
		this.clearRetry();
		this.pulls.reset();
		this.notify();
	}

	receive(message: ServerMessage<WorkspaceChannel>): void {
		if (message.type !== 'error' && message.type !== 'hello') this.error = null; // the server answers again
		switch (message.type) {
			case 'hello':
				return;
			case 'events':
				return this.onEvents(message.payload);
			case 'reset':
				// With a burstId it answers our pull; without, it is a server-wide reset (our pull stays open).
				if (message.payload.burstId !== undefined) this.pulls.answered(message.payload.burstId);
				return this.onReset(message.payload.backendId);
			case 'ack':
				// Every event of the retried push was already logged: they are no longer pending (the pull
				// brings them into the confirmed state).
				this.onPushAccepted();
				this.settle([...(this.inFlight ?? [])]);
				this.inFlight = null;
				return this.pull();
			case 'push-rejected':
				// Server ahead: pull the missing events; pending events are then replayed on top (the rebase).
				this.inFlight = null;
				return this.pull();
			case 'error': {
				const { code, retryAfterMs } = message.payload;
				if (PULL_REFUSALS.has(code)) {
					// A pause, not a failure: the status stays "syncing" until the pull goes through.
					return this.pulls.refused(retryAfterMs ?? 1_000, () => this.pull());
				}
				// A rate limit is a pause, not a failure: the status stays "syncing" while the engine waits.
				if (code !== RATE_LIMITED || !this.inFlight) this.error = `${code}: ${message.payload.message}`;
				if (this.inFlight) this.onPushRefused(code, retryAfterMs);
				this.notify();
				return;
			}
		}
	}

	// ---- internals ----------------------------------------------------------------------------------

	private pull() {
		if (!this.send) return;
		this.phase = 'pulling';
		this.pulls.request();
		this.notify();
	}

	/**
	 * The in-flight push got an error. Permanent ones drop the batch when it is a single event, else
	 * re-send its events one at a time so only the offending one is dropped; a rate limit waits and
	 * retries; anything else (a server bug) keeps the events and waits for the next reconnect.
	 */
	private onPushRefused(code: WorkspaceErrorCode, retryAfterMs: number | undefined) {
		const batch = [...this.inFlight!];
		this.inFlight = null;
		if (code === RATE_LIMITED) {
			this.clearRetry();
			this.retryTimer = setTimeout(() => {
				this.retryTimer = null;
				this.inFlight = null;
				this.flush();
			}, retryAfterMs ?? 1_000);
			// Marked in flight so nothing is pushed before the timer fires.
			this.inFlight = new Set();
			return;
		}
		if (!REFUSED_EVENT_CODES.has(code)) return;
		if (batch.length > 1) {
			this.isolate = batch.length;
		} else {
			this.isolate = Math.max(0, this.isolate - 1);
			this.dropped += this.settle(batch);
		}
		this.recompute();
		this.flush();
	}

	private onPushAccepted() {
		if (this.isolate > 0) this.isolate--;
	}

	/** Removes events (by key) from the pending queue and the store; returns how many were pending. */
	private settle(keys: string[]): number {
		const gone = new Set(keys);
		const settled = this.pending.filter((e) => gone.has(key(e)));
		if (settled.length === 0) return 0;
		this.pending = this.pending.filter((e) => !gone.has(key(e)));
		void this.store.removePending(this.workspaceId, settled);
		this.recompute();
		return settled.length;
	}

	private clearRetry() {
		if (this.retryTimer !== null) clearTimeout(this.retryTimer);
		this.retryTimer = null;
	}

	private onEvents(frame: EventsFrame) {
		if (frame.burstId !== undefined) this.pulls.answered(frame.burstId);
		if (this.backendId !== null && frame.backendId !== this.backendId) return this.onReset(frame.backendId);
		this.backendId = frame.backendId;
		// Keys matter only to settle pending events: a catch-up with nothing pending builds none.
		const watching = this.pending.length > 0;
		const confirmedKeys = new Set<string>();
		let fresh = 0;
		let gap = false;
		for (const event of frame.events) {
			if (event.seq <= this.cursor) continue; // already have it (live broadcast raced a pull page)
			if (event.seq !== this.cursor + 1) {
				// A gap should be impossible (one ordered socket); if it happens, pull rather than guess.
				gap = true;
				break;
			}
			this.unfolded.push(event);
			this.cursor = event.seq;
			fresh++;
			if (watching) confirmedKeys.add(key(event));
		}
		if (fresh > 0) {
			if (watching) this.settle([...confirmedKeys]);
			this.scheduleSnapshot();
		}
		if (gap) return this.pull();
		if (
			this.inFlight &&
			this.inFlight.size > 0 &&
			[...this.inFlight].every((k) => confirmedKeys.has(k) || !this.isPending(k))
		) {
			this.inFlight = null;
			this.onPushAccepted();
		}
		if (!frame.live) {
			// Within a burst, pages without `pullAgain` are followed by more pages: just wait for them.
			if (frame.pullAgain) this.pull();
			else if (!frame.more) this.caughtUp();
			else return this.notify(); // mid-burst: fold when the burst's last page is in
			this.pulls.sendWanted(); // a pull asked for while this one was open
		}
		this.recompute();
		this.flush();
	}

	/** The pull reached the end of the log: live from here, and what it brought is saved now. */
	private caughtUp() {
		this.phase = 'live';
		if (this.snapshotDue) this.scheduleSnapshot();
	}

	private fold() {
		if (this.unfolded.length === 0) return;
		this.confirmed = replay(this.unfolded, this.confirmed);
		this.unfolded = [];
	}

	private onReset(backendId: string) {
		// The server started a new log: what we confirmed belongs to the old one. Pending edits are kept
		// and pushed onto the new log (the reducer ignores edits to entities that no longer exist).
		this.backendId = backendId;
		this.cursor = 0;
		this.confirmed = emptyWorkspace();
		this.unfolded = [];
		this.inFlight = null;
		this.recompute();
		this.scheduleSnapshot();
		this.pull();
	}

	/** Pushes the oldest pending events (one batch in flight at a time) once caught up. */
	private flush() {
		if (this.phase !== 'live' || this.inFlight || this.pending.length === 0 || !this.send) return;
		const batch: PendingEvent[] = [];
		let bytes = PUSH_ENVELOPE_BYTES;
		const maxEvents = this.isolate > 0 ? 1 : PUSH_MAX_EVENTS;
		for (const event of this.pending) {
			const size = new TextEncoder().encode(JSON.stringify(event)).byteLength + 1;
			if (batch.length >= maxEvents || (batch.length > 0 && bytes + size > PUSH_MAX_BYTES)) break;
			batch.push(event);
			bytes += size;
		}
		this.inFlight = new Set(batch.map(key));
		this.send('push', { parent: this.cursor, events: batch }, ++this.requestSeq);
		this.notify();
	}

	private isPending(k: string) {
		return this.pending.some((e) => key(e) === k);
	}

	private recompute() {
		this.fold();
		// Nothing pending: the confirmed state is the view (no copy of the whole board per frame).
		this.optimistic = this.pending.length === 0 ? this.confirmed : replay(this.pending, this.confirmed);
		this.notify();
	}

	private status(): SyncStatus {
		if (this.phase === 'offline') return 'offline';
		if (this.error) return 'error';
		if (this.phase === 'pulling' || this.pending.length > 0) return 'syncing';
		return 'synced';
	}

	private notify() {
		if (this.listeners.size === 0) return;
		const view = this.view();
		for (const listener of this.listeners) listener(view);
	}

	/**
	 * Writes the confirmed state SNAPSHOT_DELAY_MS after it changed, but never while pulling: a catch-up
	 * is saved once, when it ends (or its socket drops), not every SNAPSHOT_DELAY_MS of a long one — each
	 * of those folded the pages so far and cloned the whole board into IndexedDB in the middle of it.
	 */
	private scheduleSnapshot() {
		this.snapshotDue = true;
		if (this.phase === 'pulling' || this.snapshotTimer !== null) return;
		this.snapshotTimer = setTimeout(() => {
			this.snapshotTimer = null;
			if (this.phase === 'pulling') return; // still due: saved when this pull ends
			this.snapshotDue = false;
			if (this.backendId === null) return;
			this.fold(); // the snapshot's state must match its cursor
			const snapshot: Snapshot = { backendId: this.backendId, cursor: this.cursor, state: this.confirmed };
			void this.store.saveSnapshot(this.workspaceId, snapshot);
		}, SNAPSHOT_DELAY_MS);
	}

	/** Stops timers (page teardown, test cleanup). */
	dispose() {
		if (this.snapshotTimer !== null) clearTimeout(this.snapshotTimer);
		this.snapshotTimer = null;
		this.clearRetry();
		this.pulls.reset();
		this.listeners.clear();
	}
}
