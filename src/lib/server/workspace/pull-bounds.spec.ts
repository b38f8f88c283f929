import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '$lib/protocol/close-codes';
import { signedInUser } from '../../../testing/users';
import { seededRandom } from '../../../testing/seeded-random';
import { connect, createWorkspaceVia, postAction, tokenFor, type TestSocket } from '../../../testing/workspace';
import { engineOnSocket } from '../../../testing/workspace-sync-client';
import {
	PULL_BURST_MAX_BYTES,
	PULL_BUSY_RETRY_MS,
	PULL_REFUSALS_MAX,
	type PendingEvent
} from '$lib/protocol/workspace-messages';
import type { EventsFrame, WorkspaceErrorCode } from '$lib/protocol/workspace-channel';
import { DOC_BODY_MAX } from '$lib/protocol/workspace-events';
import { MemoryPendingStore } from '$lib/workspace/pending-store';
import { SyncEngine } from '$lib/workspace/sync-engine';
import type { WorkspaceSync } from './workspace-sync';

/**
 * Issue 11 item 6: pulls are bounded per socket. `ws.send()` never blocks, so every burst a socket is sent
 * sits in the object's memory until the client reads it; a socket that pulls without reading must not
 * make the object produce a second burst, and pulls are charged to the member's own budget.
 */

/**
 * The log: 20 documents of 60 KB, about 1.2 MB, one burst (under PULL_BURST_MAX_BYTES). The bodies
 * are random text, which LZ4 cannot shrink, so the frames really carry 1.2 MB.
 */
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
	const writer = await connect(workspaceId, await tokenFor(owner.cookie));
	await writer.next('hello');
	const random = seededRandom(11); // any seed: only that LZ4 finds no repeats matters
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
	const text = (length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * 64)]).join('');
	for (let head = 0; head < DOCS; head += 10) {
		const events: PendingEvent[] = Array.from({ length: 10 }, (_, i) => ({
			name: 'doc.created',
			args: { id: `doc-${head + i}`, title: 'Big', body: text(DOC_BYTES) },
			clientId: 'pull-bounds-writer',
			clientSeq: head + i + 1,
			at: 1
		}));
		writer.send('push', { parent: head, events });
		const live = await writer.next('events', (m) => m.payload.live);
		logBytes += writer.rawSizes[writer.received.indexOf(live)];
	}
	writer.ws.close(1000);
	expect(logBytes).toBeGreaterThan(1_200_000);
	expect(logBytes).toBeLessThan(PULL_BURST_MAX_BYTES);
});

async function viewerSocket(): Promise<TestSocket> {
	const socket = await connect(workspaceId, await tokenFor(viewer.cookie));
	await socket.next('hello');
	return socket;
}

const eventFrames = (socket: TestSocket): EventsFrame[] =>
	socket.received.flatMap((m) => (m.type === 'events' ? [m.payload] : []));
const errorFrames = (socket: TestSocket) => socket.received.flatMap((m) => (m.type === 'error' ? [m.payload] : []));

describe('one pull burst outstanding per socket', () => {
	it(`a viewer that sends ${PULLS} pulls without reading gets one burst, then refusals, then is closed`, async () => {
		const socket = await viewerSocket();
		// A client that never reads cannot know any burstId: every pull goes out without one.
		const pull = socket.channel.wire.encodeClient('pull', { cursor: 0, backendId: null });
		for (let i = 0; i < PULLS; i++) socket.sendRaw(pull);

		// The marker that the object handled the flood: it closes the socket after PULL_REFUSALS_MAX refusals.
		const closed = await Promise.race([
			socket.closed,
			new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the socket was never closed')), 4_000))
		]);
		// Not 1008: that would tell the client it was removed, and the client drops its local edits then.
		expect(closed.code).toBe(CloseCode.violation);

		// At most one burst was produced: the log once at most, in order. The burst goes out page by page
		// (pull-burst.ts) and the flood is handled between its pages, so the socket may be closed before
		// the burst's last page, the one that ends the answer.
		const pages = eventFrames(socket);
		const seqs = pages.flatMap((p) => p.events.map((e) => e.seq));
		expect(seqs.length).toBeGreaterThan(0);
		expect(seqs).toEqual(Array.from({ length: Math.min(seqs.length, DOCS) }, (_, i) => i + 1));
		expect(pages.filter((p) => p.burstId !== undefined).length).toBeLessThanOrEqual(1);
		// Every other pull was refused, with a clear code and when to ask again, up to the cap.
		const errors = errorFrames(socket);
		expect(errors).toHaveLength(PULL_REFUSALS_MAX);
		expect(errors.every((e) => e.code === 'pull-in-progress' && e.retryAfterMs === PULL_BUSY_RETRY_MS)).toBe(true);
		expect(socket.received).toHaveLength(1 + pages.length + PULL_REFUSALS_MAX); // hello, the burst, refusals
		// What the object had to buffer for this socket: one copy of the log and a few hundred bytes, not 400.
		const bytes = socket.rawSizes.reduce((sum, n) => sum + n, 0);
		expect(bytes).toBeLessThan(logBytes + 10_000);
	});

	it('serves every pull that returns the last burstId, and counts refusals only in a row', async () => {
		const socket = await viewerSocket();
		const pullWith = (lastBurstId: string | null) => socket.send('pull', { cursor: 0, backendId: null, lastBurstId });
		const lastPage = async () => (await socket.next('events', (m) => m.payload.burstId !== undefined)).payload;

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
		const a = await connect(id, token);
		const b = await connect(id, token);
		await Promise.all([a.next('hello'), b.next('hello')]);
		a.send('pull', { cursor: 0, backendId: null });
		await a.next('events', (m) => m.payload.burstId !== undefined);
		b.send('pull', { cursor: 0, backendId: null });
		await b.next('events', (m) => m.payload.burstId !== undefined);
		a.send('pull', { cursor: 0, backendId: null });
		const refused = (await a.next('error')).payload;
		expect(refused.code).toBe('pull-rate-limited');
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
		const spend = await connect(id, token);
		await spend.next('hello');
		spend.send('pull', { cursor: 0, backendId: null });
		await spend.next('events', (m) => m.payload.burstId !== undefined);

		const engine = new SyncEngine(id, new MemoryPendingStore());
		await engine.init();
		const codes: WorkspaceErrorCode[] = [];
		const errorsShown: string[] = [];
		engine.subscribe((view) => view.error && errorsShown.push(view.error));
		const { ws } = await engineOnSocket(engine, id, token, {
			onFrame: (frame) => frame.type === 'error' && codes.push(frame.payload.code)
		});
		await until(() => engine.view().status === 'synced');
		expect(codes).toEqual(['pull-rate-limited']);
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
		const codes: WorkspaceErrorCode[] = [];
		const pulls: (string | null | undefined)[] = [];
		const { ws, wire } = await engineOnSocket(engine, id, token, {
			onFrame: (frame) => frame.type === 'error' && codes.push(frame.payload.code),
			onSend: (message) => message.type === 'pull' && pulls.push(message.payload.lastBurstId)
		});
		// A second pull on the same socket right behind the engine's own (as a race would send): refused.
		ws.send(wire.encodeClient('pull', { cursor: 0, backendId: null }));
		await until(() => codes.length === 1);
		expect(codes).toEqual(['pull-in-progress']);
		// The engine asks again after the wait, with the id of the answer it read: served.
		await until(() => pulls.length === 2 && engine.view().status === 'synced');
		expect(pulls[0]).toBeNull();
		expect(typeof pulls[1]).toBe('string');

		// Normal use from here: two members editing at once (the engine may be refused as server-ahead and
		// pull to rebase); the engine's pulls are never refused.
		const other = await connect(id, token);
		await other.next('hello');
		other.send('push', {
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
		expect(codes).toEqual(['pull-in-progress']);
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
