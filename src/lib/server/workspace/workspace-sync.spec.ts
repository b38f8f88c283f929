import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../../../testing/users';
import { connect, createWorkspaceVia, postAction, tokenFor } from '../../../testing/workspace';
import {
	PULL_PAGE_MAX_BYTES,
	PULL_PAGE_MAX_EVENTS,
	PUSH_MAX_BYTES,
	PUSH_MAX_EVENTS,
	type PendingEvent
} from '$lib/protocol/workspace-messages';
import type { EventsFrame } from '$lib/protocol/workspace-channel';
import { DOC_BODY_MAX, TASK_TITLE_MAX } from '$lib/protocol/workspace-events';
import type { WorkspaceSync } from './workspace-sync';
import { CLIENT_IDLE_MS } from './event-log';

let workspaceId: string;
let ownerToken: string;
let owner: Awaited<ReturnType<typeof signedInUser>>;

beforeAll(async () => {
	owner = await signedInUser(env);
	workspaceId = await createWorkspaceVia(owner.cookie);
	ownerToken = await tokenFor(owner.cookie);
});

function task(clientId: string, clientSeq: number, title = `task ${clientSeq}`): PendingEvent {
	return {
		name: 'task.created',
		args: { id: `${clientId}-${clientSeq}`, title, status: 'todo', order: clientSeq, assignee: null },
		clientId,
		clientSeq,
		at: Date.now()
	};
}

async function connected(id = workspaceId, token = ownerToken) {
	const socket = await connect(id, token);
	const hello = (await socket.next('hello')).payload;
	socket.send('pull', { cursor: 0, backendId: hello.backendId });
	await socket.next('events', (m) => !m.payload.more);
	return { socket, hello };
}

function stub(id: string) {
	return env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(id));
}

describe('WorkspaceSync push', () => {
	it('appends a push whose parent is the head and delivers it live to every caught-up socket', async () => {
		const a = await connected();
		const b = await connected();
		const head = a.hello.head;
		a.socket.send('push', { parent: head, events: [task('client-a1', 1), task('client-a1', 2)] });
		const [toA, toB] = (await Promise.all([a.socket.next('events'), b.socket.next('events')])).map((m) => m.payload);
		expect(toB.events.map((e) => [e.seq, e.parent, e.clientSeq])).toEqual([
			[head + 1, head, 1],
			[head + 2, head + 1, 2]
		]);
		expect(toA).toEqual(toB);
		expect(toB.live).toBe(true);
		expect(toB.events[0].userId).toBe(owner.user.id);
	});

	it('rejects a push whose parent is behind with server-ahead and appends nothing', async () => {
		const a = await connected();
		const b = await connected();
		const parent = a.hello.head;
		a.socket.send('push', { parent, events: [task('client-race-a', 1)] });
		await a.socket.next('events');
		b.socket.send('push', { parent, events: [task('client-race-b', 1)] });
		const rejected = await b.socket.next('push-rejected');
		expect(rejected.payload).toEqual({ reason: 'server-ahead', head: parent + 1 });

		// Pull, rebase (same events, new parent), push again: accepted.
		b.socket.send('push', { parent: parent + 1, events: [task('client-race-b', 1)] });
		const accepted = await b.socket.next('events', (m) => m.payload.events.some((e) => e.clientId === 'client-race-b'));
		expect(accepted.payload.events[0].seq).toBe(parent + 2);
		const log = await stub(workspaceId).readLog(parent);
		expect(log.map((e) => e.clientId)).toEqual(['client-race-a', 'client-race-b']);
	});

	it('treats a retried push as idempotent: acknowledged with the original seqs, never appended twice', async () => {
		const a = await connected();
		const parent = a.hello.head;
		const events = [task('client-retry', 1), task('client-retry', 2)];
		a.socket.send('push', { parent, events });
		const first = (await a.socket.next('events')).payload;
		a.socket.send('push', { parent, events });
		const ack = (await a.socket.next('ack')).payload;
		expect(ack.seqs).toEqual(first.events.map((e) => e.seq));
		const log = await stub(workspaceId).readLog(parent);
		expect(log).toHaveLength(2);

		// The same (client id, client seq) with different content is not a retry: a clear error, nothing stored.
		a.socket.send('push', { parent: parent + 2, events: [task('client-retry', 2, 'a different title')] });
		expect((await a.socket.next('error')).payload).toMatchObject({
			code: 'conflicting-retry',
			message: /client-retry/
		});
		expect(await stub(workspaceId).readLog(parent)).toEqual(log);

		// A retry with one stored and one new event is behind (its own first event moved the head).
		a.socket.send('push', { parent, events: [events[1], task('client-retry', 3)] });
		expect((await a.socket.next('push-rejected')).payload.head).toBe(parent + 2);
	});

	it('refuses out-of-order client sequences, foreign client ids and viewer pushes with clear errors', async () => {
		const a = await connected();
		const head = a.hello.head;
		a.socket.send('push', { parent: head, events: [task('client-order', 5)] });
		await a.socket.next('events');
		a.socket.send('push', { parent: head + 1, events: [task('client-order', 3)] });
		expect((await a.socket.next('error')).payload.code).toBe('out-of-order');

		const viewer = await signedInUser(env);
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: viewer.user.username,
			role: 'viewer'
		});
		const v = await connected(workspaceId, await tokenFor(viewer.cookie));
		v.socket.send('push', { parent: head + 1, events: [task('client-viewer', 1)] });
		expect((await v.socket.next('error')).payload).toMatchObject({ code: 'forbidden', message: /Viewers/ });

		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: viewer.user.username,
			role: 'editor'
		});
		const e = await connected(workspaceId, await tokenFor(viewer.cookie));
		e.socket.send('push', { parent: head + 1, events: [task('client-order', 9)] });
		expect((await e.socket.next('error')).payload).toMatchObject({ code: 'forbidden', message: /another user/ });
		expect((await stub(workspaceId).status()).head).toBe(head + 1);
	});

	it('refuses a task title over the limit with the limit in words and logs nothing (never cuts it)', async () => {
		const a = await connected();
		const head = (await stub(workspaceId).status()).head;
		a.socket.send('push', { parent: head, events: [task('client-long', 1, 'x'.repeat(TASK_TITLE_MAX + 1))] });
		expect((await a.socket.next('error')).payload).toMatchObject({
			code: 'bad-message',
			message: `A task title can be at most ${TASK_TITLE_MAX} characters. (events.0.args.title)`
		});
		// Exactly at the limit is a title like any other.
		a.socket.send('push', { parent: head, events: [task('client-long', 1, 'x'.repeat(TASK_TITLE_MAX))] });
		const logged = (await a.socket.next('events')).payload.events;
		expect(logged.map((e) => e.seq)).toEqual([head + 1]);
		expect((await stub(workspaceId).readLog(head)).map((e) => (e.args as { title: string }).title.length)).toEqual([
			TASK_TITLE_MAX
		]);
	});

	it('answers malformed frames with errors and keeps the socket usable; closes oversized ones with 1009', async () => {
		const a = await connected();
		a.socket.sendRaw('{not json');
		expect((await a.socket.next('error')).payload.code).toBe('bad-frame');
		a.socket.send('push', { parent: 0, events: [{ ...task('client-bad', 1), name: 'task.exploded' }] } as never);
		expect((await a.socket.next('error')).payload.code).toBe('bad-message');
		// A cursor past the head is not ours to fix: the client is told to start over (reset), not stuck on an error.
		a.socket.send('pull', { cursor: 10_000_000, backendId: null });
		expect((await a.socket.next('reset')).payload).toEqual({
			backendId: a.hello.backendId,
			head: a.hello.head,
			burstId: expect.any(String)
		});
		a.socket.send('pull', { cursor: 0, backendId: a.hello.backendId });
		expect((await a.socket.next('events', (m) => !m.payload.more)).type).toBe('events');

		a.socket.sendRaw('x'.repeat(1_000_000));
		expect((await a.socket.closed).code).toBe(1009);
	});
});

describe('WorkspaceSync pull', () => {
	it('re-broadcasts the largest accepted push within the page byte limit', async () => {
		const id = await createWorkspaceVia(owner.cookie, 'largest-push');
		const a = await connected(id, await tokenFor(owner.cookie));
		const docs = (bodyLength: number): PendingEvent[] =>
			Array.from({ length: PUSH_MAX_EVENTS }, (_, i) => ({
				name: 'doc.created',
				args: { id: `doc-${i}`, title: 'Big', body: 'b'.repeat(bodyLength) },
				clientId: 'client-largest',
				clientSeq: i + 1,
				at: 1
			}));
		const payloadBytes = (bodyLength: number) =>
			new TextEncoder().encode(JSON.stringify({ parent: 0, events: docs(bodyLength) })).byteLength;
		// Bodies sized so the push payload is just under its cap (the frame is far smaller: LZ4).
		const bodyLength = Math.floor((PUSH_MAX_BYTES - 16 - payloadBytes(0)) / PUSH_MAX_EVENTS);
		expect(payloadBytes(bodyLength)).toBeLessThanOrEqual(PUSH_MAX_BYTES);
		expect(payloadBytes(bodyLength)).toBeGreaterThan(PUSH_MAX_BYTES - 200);

		// One byte more of events than the cap: refused by name, nothing appended, the socket still usable.
		const over = docs(bodyLength);
		over[0].args = { ...over[0].args, body: 'b'.repeat(bodyLength + 200) } as never;
		const refused = a.socket.send('push', { parent: 0, events: over });
		expect((await a.socket.next('error')).payload).toMatchObject({ code: 'push-too-large' });
		expect(a.socket.received.at(-1)?.seq).toBe(refused);
		expect((await stub(id).status()).head).toBe(0);

		a.socket.send('push', { parent: 0, events: docs(bodyLength) });
		const live = await a.socket.next('events', (m) => m.payload.live);
		expect(live.payload.events).toHaveLength(PUSH_MAX_EVENTS);
		expect(a.socket.payloadBytes(live)).toBeLessThanOrEqual(PULL_PAGE_MAX_BYTES);
		expect(a.socket.payloadBytes(live)).toBeGreaterThan(PUSH_MAX_BYTES);
	});

	it(`pages the log at ≤ ${PULL_PAGE_MAX_EVENTS} events and ≤ 900 KB per frame, with no gap or duplicate`, async () => {
		const id = await createWorkspaceVia(owner.cookie, 'paging');
		const token = await tokenFor(owner.cookie);
		const a = await connected(id, token);
		let head = 0;
		// Two pages and a bit of small events, then 40 doc edits of 60 KB each (2.4 MB: several byte-limited pages).
		const small = 2 * PULL_PAGE_MAX_EVENTS + 50;
		const total = small + 40;
		for (let done = 0; done < small; done += PUSH_MAX_EVENTS) {
			const length = Math.min(PUSH_MAX_EVENTS, small - done);
			const events = Array.from({ length }, (_, i) => task('client-page', head + i + 1));
			a.socket.send('push', { parent: head, events });
			head = (await a.socket.next('events')).payload.head;
		}
		const body = 'b'.repeat(60 * 1024);
		expect(body.length).toBeLessThanOrEqual(DOC_BODY_MAX);
		for (let i = 0; i < 40; i += 10) {
			const events: PendingEvent[] = Array.from({ length: 10 }, (_, j) => ({
				name: 'doc.created',
				args: { id: `doc-${i + j}`, title: 'Big', body },
				clientId: 'client-page',
				clientSeq: 1000 + i + j,
				at: 1
			}));
			a.socket.send('push', { parent: head, events });
			head = (await a.socket.next('events')).payload.head;
		}
		expect(head).toBe(total);

		const b = await connect(id, token);
		const hello = (await b.next('hello')).payload;
		b.send('pull', { cursor: 0, backendId: hello.backendId });
		const pages: EventsFrame[] = [];
		for (;;) {
			const page = (await b.next('events')).payload;
			pages.push(page);
			if (!page.more) break;
		}
		const seqs = pages.flatMap((p) => p.events.map((e) => e.seq));
		expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
		expect(pages.every((p) => p.events.length <= PULL_PAGE_MAX_EVENTS)).toBe(true);
		expect(Math.max(...b.received.map((m) => b.payloadBytes(m)))).toBeLessThanOrEqual(PULL_PAGE_MAX_BYTES);
		expect(pages.slice(0, 2).map((p) => p.events.length)).toEqual([PULL_PAGE_MAX_EVENTS, PULL_PAGE_MAX_EVENTS]);
		// Pages travel as LZ4-compressed codec frames: far fewer bytes on the wire than their JSON.
		const firstPage = b.received.find((m) => m.type === 'events')!;
		expect(b.rawSizes[b.received.indexOf(firstPage)]).toBeLessThan(b.payloadBytes(firstPage) / 2);
		expect(pages.length).toBeGreaterThan(4); // the 60 KB docs forced byte-limited pages

		// From a cursor: exactly what is missing. Then live.
		b.send('pull', { cursor: total - 5, backendId: hello.backendId });
		const tail = (await b.next('events')).payload;
		expect(tail.events.map((e) => e.seq)).toEqual([4, 3, 2, 1, 0].map((back) => total - back));
		a.socket.send('push', { parent: total, events: [task('client-page', 2000)] });
		expect((await b.next('events', (m) => m.payload.live)).payload.events[0].seq).toBe(total + 1);
	});
});

describe('WorkspaceSync idle clients', () => {
	it('forgets client ids idle for 30 days, and a late retry of their events is still acknowledged, not appended', async () => {
		const id = await createWorkspaceVia(owner.cookie, 'idle-clients');
		const a = await connected(id, await tokenFor(owner.cookie));
		const events = [task('client-idle', 1), task('client-idle', 2)];
		a.socket.send('push', { parent: 0, events });
		const logged = (await a.socket.next('events', (m) => m.payload.live)).payload;
		const now = Date.now();
		expect(await stub(id).pruneIdleClients(now)).toBe(0); // just seen
		expect(await stub(id).pruneIdleClients(now + CLIENT_IDLE_MS + 1_000)).toBe(1);
		await runInDurableObject(stub(id), async (_instance: WorkspaceSync, state) => {
			expect(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM clients`).one().n).toBe(0);
		});
		a.socket.send('push', { parent: 0, events });
		expect((await a.socket.next('ack')).payload.seqs).toEqual(logged.events.map((e) => e.seq));
		expect(await stub(id).readLog()).toHaveLength(2);
	});
});

describe('WorkspaceSync backend id', () => {
	it('is stable across connections, changes on reset, and tells a client with the old id to start over', async () => {
		const id = await createWorkspaceVia(owner.cookie, 'reset');
		const token = await tokenFor(owner.cookie);
		const a = await connected(id, token);
		a.socket.send('push', { parent: 0, events: [task('client-reset', 1)] });
		await a.socket.next('events');
		const again = await connected(id, token);
		expect(again.hello.backendId).toBe(a.hello.backendId);

		const fresh = await stub(id).resetLog();
		expect(fresh).not.toBe(a.hello.backendId);
		expect((await a.socket.next('reset')).payload).toEqual({ backendId: fresh, head: 0 });

		const late = await connect(id, token);
		expect((await late.next('hello')).payload.backendId).toBe(fresh);
		late.send('pull', { cursor: 1, backendId: a.hello.backendId });
		expect((await late.next('reset')).payload).toEqual({ backendId: fresh, head: 0, burstId: expect.any(String) });
		await runInDurableObject(stub(id), async (instance: WorkspaceSync) => {
			expect(await instance.readLog()).toEqual([]);
		});
	});
});
