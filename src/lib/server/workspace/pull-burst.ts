import type { ChannelWire } from '$lib/protocol/channel';
import { CloseCode } from '$lib/protocol/close-codes';
import type { WorkspaceChannel } from '$lib/protocol/workspace-channel';
import { PULL_BURST_MAX_BYTES, PULL_BURST_MAX_PAGES } from '$lib/protocol/workspace-messages';
import { pageJson, type EventLog } from './event-log';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { socketTokenExpired } from './socket-claims';
import type { WorkspaceAttachment } from './workspace-sync';

/** What a burst needs of its object: the log, the encoder, and the socket's attachment. */
export interface BurstHost {
	readonly eventLog: EventLog;
	wire(): ChannelWire<WorkspaceChannel>;
	sendFrame(ws: WebSocket, frame: Uint8Array): boolean;
	attachment(ws: WebSocket): WorkspaceAttachment | null;
	setAttachment(ws: WebSocket, attachment: WorkspaceAttachment): void;
}

/**
 * One pull to answer: its request number, who asks, where the client's log ends, the log (backend id,
 * head) as the pull found it, and the id that will end the answer.
 */
export interface BurstRequest {
	seq: number;
	identity: SocketIdentity;
	cursor: number;
	backendId: string;
	head: number;
	burstId: string;
}

/**
 * Answers one pull with one bounded burst of pages (PULL_BURST_MAX_PAGES pages, PULL_BURST_MAX_BYTES of
 * frames), each page sent as soon as it is built: between pages the handler yields to the runtime, so
 * the first pages are on the wire, and being decoded by the client, while the object builds the next
 * ones — the catch-up costs about the larger of the two sides' work rather than their sum. Other sockets'
 * messages are served in between, so a long burst does not hold the object either.
 *
 * No gap, no duplicate, although pushes may land between pages: the socket is not live during the burst
 * (set before the first page), so no live frame reaches it, and each page reads the log from where the
 * last one ended, so events appended meanwhile come in a later page. It turns live in the same
 * synchronous step that reads the page which ends the log. The caller has already marked the socket's
 * attachment with `burstId`, so another pull arriving meanwhile (it cannot know the id) is refused.
 *
 * The burst stops where its socket stops being served: closed (revoked, gone), token expired (closed
 * here, as a message would be), or the log reset (answered with `reset` carrying the burst's id, so the
 * client's pull is settled and it starts over).
 */
export async function sendBurst(host: BurstHost, ws: WebSocket, request: BurstRequest): Promise<void> {
	const { seq, identity, backendId, burstId } = request;
	let { cursor, head } = request;
	let bytes = 0;
	for (let pages = 1; ; pages++) {
		if (ws.readyState !== WebSocket.OPEN) return;
		if (socketTokenExpired(identity, Date.now())) {
			ws.close(CloseCode.tokenExpired, 'Your workspace token expired: reconnect with a fresh one.');
			return;
		}
		if (host.eventLog.backendId !== backendId) {
			const reset = { backendId: host.eventLog.backendId, head: host.eventLog.head, burstId };
			host.sendFrame(ws, host.wire().encodeServer('reset', reset, seq));
			return;
		}
		const page = host.eventLog.page(cursor);
		if (page.lastSeq !== null) cursor = page.lastSeq;
		// The head the pull saw, or later if pushes landed meanwhile: never behind the page's own events.
		head = Math.max(head, cursor);
		const envelope = (pullAgain: boolean, last: boolean) =>
			pageJson({ backendId, head, more: page.more, pullAgain, live: false, ...(last ? { burstId } : {}) }, page);
		const frame = (pullAgain: boolean, last: boolean) =>
			host.wire().encodeServerJson('events', envelope(pullAgain, last), seq);
		if (!page.more) {
			// The end of the log: live from this very step on, so the next append reaches it as a live frame.
			// The attachment is read again here: texts opened during the burst changed it.
			const attachment = host.attachment(ws);
			if (!attachment) return;
			host.setAttachment(ws, { ...attachment, live: true });
			host.sendFrame(ws, frame(false, true));
			return;
		}
		// Burst spent (the page cap is known before encoding, so its last page is encoded once): this page
		// tells the client to ask again from its cursor.
		if (pages >= PULL_BURST_MAX_PAGES) {
			host.sendFrame(ws, frame(true, true));
			return;
		}
		const middle = frame(false, false);
		// What this socket's burst holds in the object's memory until the client reads it: frame bytes.
		bytes += middle.byteLength;
		if (bytes >= PULL_BURST_MAX_BYTES) {
			host.sendFrame(ws, frame(true, true));
			return;
		}
		host.sendFrame(ws, middle);
		if (pages % PAGES_PER_TURN === 1) await nextTurn(); // after the first page, then every few
	}
}

/**
 * Pages built per turn of the object: the first page goes out alone (the client starts decoding at
 * once), then a few at a time: each turn costs the runtime a timer, a wake-up and a socket write, and a
 * turn per page cost the object visibly more CPU than building the whole burst in one (bench:workspace).
 */
const PAGES_PER_TURN = 4;

/** Gives the runtime a turn: the frames sent so far are written to the socket, other messages run. */
function nextTurn(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}
