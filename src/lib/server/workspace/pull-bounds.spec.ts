import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../../../testing/users';
import {
	createWorkspaceVia,
	listen,
	openSocket,
	postAction,
	tokenFor,
	type TestSocket
} from '../../../testing/workspace';
import {
	PULL_BURST_MAX_BYTES,
	PULL_BUSY_RETRY_MS,
	PULL_IN_PROGRESS,
	PULL_RATE_LIMITED,
	PULL_REFUSALS_MAX,
	type PendingEvent,
	type WorkspaceServerMessage
} from '$lib/protocol/workspace-messages';
import { DOC_BODY_MAX } from '$lib/protocol/workspace-events';
import { MemoryPendingStore } from '$lib/workspace/pending-store';
import { SyncEngine } from '$lib/workspace/sync-engine';
import type { WorkspaceSync } from './workspace-sync';

/**
 * Issue 11 item 6: pulls are bounded per socket. `ws.send()` never blocks, so every burst a socket is sent
 * sits in the object's memory until the client reads it; a socket that pulls without reading must not
 * make the object produce a second burst, and pulls are charged to the member's own budget.
 */

/** The log: 20 documents of 60 KB, about 1.2 MB, one burst (under PULL_BURST_MAX_BYTES). */
const DOCS = 20;
const DOC_BYTES = 60 * 1024;
/** The flood. */
const PULLS = 400;

let owner: Awaited<ReturnType<typeof signedInUser>>;
let viewer: Awaited<ReturnType<typeof signedInUser>>;
let workspaceId: string;
let logBytes = 0;

function stub(id = workspaceId) {
	return env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(id));
}

beforeAll(async () => {
	owner = await signedInUser(env);
	viewer = await signedInUser(env);
	workspaceId = await createWorkspaceVia(owner.cookie, 'pull-bounds');
	await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
		username: viewer.user.username,
		role: 'viewer'
	});
	expect(DOC_BYTES).toBeLessThanOrEqual(DOC_BODY_MAX);
	const writer = listen(await openSocket(workspaceId, await tokenFor(owner.cookie)));
	await writer.next('hello');
	for (let head = 0; head < DOCS; head += 10) {
		const events: PendingEvent[] = Array.from({ length: 10 }, (_, i) => ({
			name: 'doc.created',
			args: { id: `doc-${head + i}`, title: 'Big', body: String(head + i).padEnd(DOC_BYTES, 'b') },
			clientId: 'pull-bounds-writer',
			clientSeq: head + i + 1,
			at: 1
		}));
		writer.send({ type: 'push', parent: head, events });
		const live = await writer.next('events', (m) => m.live);
		logBytes += writer.rawSizes[writer.received.indexOf(live)];
	}
	writer.ws.close(1000);
	expect(logBytes).toBeGreaterThan(1_200_000);
	expect(logBytes).toBeLessThan(PULL_BURST_MAX_BYTES);
});

async function viewerSocket(): Promise<TestSocket> {
	const socket = listen(await openSocket(workspaceId, await tokenFor(viewer.cookie)));
	await socket.next('hello');
	return socket;
}

type EventsFrame = Extract<WorkspaceServerMessage, { type: 'events' }>;
const eventFrames = (socket: TestSocket) => socket.received.filter((m): m is EventsFrame => m.type === 'events');
const errorFrames = (socket: TestSocket) =>
	socket.received.filter((m): m is Extract<WorkspaceServerMessage, { type: 'error' }> => m.type === 'error');

describe('one pull burst outstanding per socket', () => {
	it(`a viewer that sends ${PULLS} pulls without reading gets one burst, then refusals, then is closed`, async () => {
		const socket = await viewerSocket();
		// A client that never reads cannot know any burstId: every pull goes out without one.
		const pull = JSON.stringify({ type: 'pull', cursor: 0, backendId: null });
		for (let i = 0; i < PULLS; i++) socket.send(pull);

		// The marker that the object handled the flood: it closes the socket after PULL_REFUSALS_MAX refusals.
		const closed = await Promise.race([
			socket.closed,
			new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the socket was never closed')), 4_000))
		]);
		expect(closed.code).toBe(1008);

		// Exactly one burst was produced: the log once, in order, and one frame that ended an answer.
		const pages = eventFrames(socket);
		expect(pages.flatMap((p) => p.events.map((e) => e.seq))).toEqual(Array.from({ length: DOCS }, (_, i) => i + 1));
		expect(pages.filter((p) => p.burstId !== undefined)).toHaveLength(1);
		// Every other pull was refused, with a clear code and when to ask again, up to the cap.
		const errors = errorFrames(socket);
		expect(errors).toHaveLength(PULL_REFUSALS_MAX);
		expect(errors.every((e) => e.code === PULL_IN_PROGRESS && e.retryAfterMs === PULL_BUSY_RETRY_MS)).toBe(true);
		expect(socket.received).toHaveLength(1 + pages.length + PULL_REFUSALS_MAX); // hello, the burst, refusals
		// What the object had to buffer for this socket: one copy of the log and a few hundred bytes, not 400.
		const bytes = socket.rawSizes.reduce((sum, n) => sum + n, 0);
		expect(bytes).toBeLessThan(logBytes + 10_000);
	});

	it('serves every pull that returns the last burstId, and counts refusals only in a row', async () => {
		const socket = await viewerSocket();
		const pullWith = (lastBurstId: string | null) =>
			socket.send({ type: 'pull', cursor: 0, backendId: null, lastBurstId });
		const lastPage = () => socket.next('events', (m) => m.burstId !== undefined);

		pullWith(null);
		let burstId = (await lastPage()).burstId!;
		for (let round = 0; round < 3; round++) {
			// As many unread-pulls as the cap allows, then one that proves the last burst was read: served.
			for (let i = 0; i < PULL_REFUSALS_MAX; i++) pullWith(i % 2 ? null : 'a-guess');
			pullWith(burstId);
			const page = await lastPage();
			expect(page.burstId).not.toBe(burstId);
			expect(page.more).toBe(false);
			burstId = page.burstId!;
		}
		expect(errorFrames(socket)).toHaveLength(3 * PULL_REFUSALS_MAX);
		// Four whole bursts, each a full copy of the log.
		const seqs = eventFrames(socket).flatMap((p) => p.events.map((e) => e.seq));
		expect(seqs).toHaveLength(4 * DOCS);
		expect(socket.ws.readyState).toBe(WebSocket.OPEN);
		socket.ws.close(1000);
	});
});

describe('the pull budget', () => {
	it('charges pulls to the member (a viewer too) and refuses over-budget ones with pull-rate-limited', async () => {
		const id = await createWorkspaceVia(owner.cookie, 'pull-budget');
		await postAction(owner.cookie, `/workspace/${id}/members?/add`, { username: viewer.user.username, role: 'viewer' });
		const token = await tokenFor(viewer.cookie);
		await runInDurableObject(stub(id), async (instance: WorkspaceSync) => {
			instance.pullLimit = { burst: 2, windowMs: 60_000 };
		});
		// Two sockets of the same member share one budget.
		const a = listen(await openSocket(id, token));
		const b = listen(await openSocket(id, token));
		await Promise.all([a.next('hello'), b.next('hello')]);
		a.send({ type: 'pull', cursor: 0, backendId: null });
		await a.next('events', (m) => m.burstId !== undefined);
		b.send({ type: 'pull', cursor: 0, backendId: null });
		await b.next('events', (m) => m.burstId !== undefined);
		a.send({ type: 'pull', cursor: 0, backendId: null });
		const refused = await a.next('error');
		expect(refused.code).toBe(PULL_RATE_LIMITED);
		expect(refused.retryAfterMs).toBeGreaterThan(0);
		expect(refused.retryAfterMs).toBeLessThanOrEqual(30_000);
		a.ws.close(1000);
		b.ws.close(1000);
	});

	it('the engine waits out a pull-rate-limited refusal, pulls again and syncs, without showing an error', async () => {
		const id = await createWorkspaceVia(owner.cookie, 'pull-budget-engine');
		const token = await tokenFor(owner.cookie);
		await runInDurableObject(stub(id), async (instance: WorkspaceSync) => {
			instance.pullLimit = { burst: 1, windowMs: 400 };
		});
		const spend = listen(await openSocket(id, token));
		await spend.next('hello');
		spend.send({ type: 'pull', cursor: 0, backendId: null });
		await spend.next('events', (m) => m.burstId !== undefined);

		const engine = new SyncEngine(id, new MemoryPendingStore());
		await engine.init();
		const ws = (await openSocket(id, token)).webSocket!;
		ws.accept();
		const codes: string[] = [];
		const errorsShown: string[] = [];
		engine.subscribe((view) => view.error && errorsShown.push(view.error));
		ws.addEventListener('message', (event) => {
			const frame = JSON.parse(event.data as string) as WorkspaceServerMessage;
			if (frame.type === 'error') codes.push(frame.code);
			engine.receive(event.data as string);
		});
		engine.connected((text) => ws.send(text));
		await until(() => engine.view().status === 'synced');
		expect(codes).toEqual([PULL_RATE_LIMITED]);
		expect(errorsShown).toEqual([]);
		ws.close(1000);
		spend.ws.close(1000);
		engine.dispose();
	});
});

describe('the engine and the one-burst rule', () => {
	it('never has two pulls open, and recovers when a stray pull on its socket was refused', async () => {
		const id = await createWorkspaceVia(owner.cookie, 'engine-one-burst');
		const token = await tokenFor(owner.cookie);
		const engine = new SyncEngine(id, new MemoryPendingStore());
		await engine.init();
		const ws = (await openSocket(id, token)).webSocket!;
		ws.accept();
		const codes: string[] = [];
		const pulls: (string | null | undefined)[] = [];
		ws.addEventListener('message', (event) => {
			const frame = JSON.parse(event.data as string) as WorkspaceServerMessage;
			if (frame.type === 'error') codes.push(frame.code);
			engine.receive(event.data as string);
		});
		engine.connected((text) => {
			const message = JSON.parse(text);
			if (message.type === 'pull') pulls.push(message.lastBurstId);
			ws.send(text);
		});
		// A second pull on the same socket right behind the engine's own (as a race would send): refused.
		ws.send(JSON.stringify({ type: 'pull', cursor: 0, backendId: null }));
		await until(() => codes.length === 1);
		expect(codes).toEqual([PULL_IN_PROGRESS]);
		// The engine asks again after the wait, with the id of the answer it read: served.
		await until(() => pulls.length === 2 && engine.view().status === 'synced');
		expect(pulls[0]).toBeNull();
		expect(typeof pulls[1]).toBe('string');

		// Normal use from here: two members editing at once (the engine may be refused as server-ahead and
		// pull to rebase); the engine's pulls are never refused.
		const other = listen(await openSocket(id, token));
		await other.next('hello');
		other.send({
			type: 'push',
			parent: 0,
			events: [
				{
					name: 'task.created',
					args: { id: 'theirs', title: 'theirs', status: 'todo', order: 1, assignee: null },
					clientId: 'other-client',
					clientSeq: 1,
					at: 1
				}
			]
		});
		await engine.commit({
			name: 'task.created',
			args: { id: 'mine', title: 'mine', status: 'todo', order: 2, assignee: null }
		});
		await until(() => engine.view().pending === 0 && engine.view().cursor === 2);
		expect([...engine.view().state.tasks.keys()].sort()).toEqual(['mine', 'theirs']);
		expect(codes).toEqual([PULL_IN_PROGRESS]);
		expect(engine.view().error).toBeNull();
		ws.close(1000);
		other.ws.close(1000);
		engine.dispose();
	});
});

async function until(condition: () => boolean, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
