import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../../../testing/users';
import {
	connect,
	createWorkspaceVia,
	tokenFor,
	type TestSocket,
	type WorkspaceMessage
} from '../../../testing/workspace';
import {
	PULL_BURST_MAX_PAGES,
	PULL_PAGE_MAX_EVENTS,
	PUSH_MAX_EVENTS,
	type PendingEvent
} from '$lib/protocol/workspace-messages';

/**
 * A pull's burst goes out page by page while the object builds it (pull-burst.ts), so other messages —
 * pushes, resets — land between its pages. These check that the burst still gives every event exactly
 * once, in order, and settles its pull whatever lands in between.
 */

/** A log of this many pages, all in one burst: long enough that the burst spans many of the object's turns. */
const PAGES = Math.min(24, PULL_BURST_MAX_PAGES - 1);
const LOG_EVENTS = PAGES * PULL_PAGE_MAX_EVENTS;

let owner: Awaited<ReturnType<typeof signedInUser>>;

beforeAll(async () => {
	owner = await signedInUser(env);
});

function task(clientId: string, clientSeq: number): PendingEvent {
	return {
		name: 'task.created',
		args: {
			id: `${clientId}-${clientSeq}`,
			title: `task ${clientSeq}`,
			status: 'todo',
			order: clientSeq,
			assignee: null
		},
		clientId,
		clientSeq,
		at: 1
	};
}

/** A workspace whose log holds LOG_EVENTS events, a token for it, and a live writer socket on it. */
async function loggedWorkspace(name: string): Promise<{ id: string; token: string; writer: TestSocket }> {
	const id = await createWorkspaceVia(owner.cookie, name);
	const token = await tokenFor(owner.cookie);
	const writer = await connect(id, token);
	await writer.next('hello');
	writer.send('pull', { cursor: 0, backendId: null });
	await writer.next('events', (m) => !m.payload.more);
	for (let head = 0; head < LOG_EVENTS; head += PUSH_MAX_EVENTS) {
		const events = Array.from({ length: PUSH_MAX_EVENTS }, (_, i) => task('burst-writer', head + i + 1));
		writer.send('push', { parent: head, events });
		await writer.next('events', (m) => m.payload.live);
	}
	return { id, token, writer };
}

/** The frames a socket received from index `from` on. */
const since = (socket: TestSocket, from: number): WorkspaceMessage[] => socket.received.slice(from);

describe('a pull burst sent while it is built', () => {
	it('gives a socket that pulls again the events pushed meanwhile once, inside the burst, then goes live', async () => {
		const { id, token, writer } = await loggedWorkspace('burst-push');
		const reader = await connect(id, token);
		const hello = (await reader.next('hello')).payload;
		reader.send('pull', { cursor: 0, backendId: hello.backendId });
		await reader.next('events', (m) => !m.payload.more);
		// The reader is live; it pulls the whole log again (as the engine does after a gap) …
		const from = reader.received.length;
		reader.send('pull', { cursor: 0, backendId: hello.backendId });
		// … and once its burst is under way (a first page arrived), another member's push lands.
		await reader.next('events', (m) => !m.payload.live);
		writer.send('push', { parent: LOG_EVENTS, events: [task('burst-writer', LOG_EVENTS + 1)] });
		await writer.next('events', (m) => m.payload.live);
		await reader.next('events', (m) => !m.payload.more);

		const frames = since(reader, from).flatMap((m) => (m.type === 'events' ? [m.payload] : []));
		// Every event once, in order, the pushed one included — and it came in a page of the burst, not as
		// a live frame that the burst's later pages would have repeated.
		expect(frames.flatMap((f) => f.events.map((e) => e.seq))).toEqual(
			Array.from({ length: LOG_EVENTS + 1 }, (_, i) => i + 1)
		);
		expect(frames.every((f) => !f.live)).toBe(true);
		expect(frames.filter((f) => f.burstId !== undefined)).toHaveLength(1);

		// Live again after its last page: the next push reaches it as a live frame.
		writer.send('push', { parent: LOG_EVENTS + 1, events: [task('burst-writer', LOG_EVENTS + 2)] });
		const live = await reader.next('events', (m) => m.payload.live);
		expect(live.payload.events.map((e) => e.seq)).toEqual([LOG_EVENTS + 2]);
		reader.ws.close(1000);
		writer.ws.close(1000);
	});

	it('answers with reset, carrying the burst id, when the log is reset under the burst', async () => {
		const { id, token, writer } = await loggedWorkspace('burst-reset');
		writer.ws.close(1000);
		const reader = await connect(id, token);
		const hello = (await reader.next('hello')).payload;
		const from = reader.received.length;
		reader.send('pull', { cursor: 0, backendId: hello.backendId });
		await reader.next('events');
		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(id));
		const fresh = await stub.resetLog();

		// The pull is settled by a reset of the new log that carries the burst's id; no page follows it.
		const answer = await reader.next('reset', (m) => m.payload.burstId !== undefined);
		expect(answer.payload).toEqual({ backendId: fresh, head: 0, burstId: expect.any(String) });
		const frames = since(reader, from);
		expect(frames.slice(frames.indexOf(answer) + 1).filter((m) => m.type === 'events')).toEqual([]);
		const pages = frames.flatMap((m) => (m.type === 'events' ? [m.payload] : []));
		expect(pages.length).toBeLessThan(PAGES);
		expect(pages.every((p) => p.burstId === undefined)).toBe(true);

		// The client proves it read the answer and starts over on the new, empty log.
		reader.send('pull', { cursor: 0, backendId: fresh, lastBurstId: answer.payload.burstId });
		const page = (await reader.next('events', (m) => m.payload.burstId !== undefined)).payload;
		expect(page).toMatchObject({ backendId: fresh, events: [], more: false });
		reader.ws.close(1000);
	});
});
