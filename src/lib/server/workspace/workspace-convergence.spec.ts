import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { seededRandom, testSeed } from '../../../testing/seeded-random';
import { signedInUser } from '../../../testing/users';
import { connect, createWorkspaceVia, postAction, tokenFor } from '../../../testing/workspace';
import { engineOnSocket, TestClient, until } from '../../../testing/workspace-sync-client';
import { TASK_STATUSES, type WorkspaceEvent } from '$lib/protocol/workspace-events';
import {
	PULL_BURST_MAX_PAGES,
	PULL_PAGE_MAX_EVENTS,
	PUSH_MAX_EVENTS,
	type PendingEvent
} from '$lib/protocol/workspace-messages';
import { replay, type WorkspaceState } from '$lib/protocol/workspace-reducer';
import { MemoryPendingStore } from '$lib/workspace/pending-store';
import { SyncEngine } from '$lib/workspace/sync-engine';
import { runInDurableObject } from 'cloudflare:test';
import type { WorkspaceSync } from './workspace-sync';

/**
 * Five real sync engines (the browser's code, with in-memory stores) on real sockets through the whole
 * worker, each making 200 random edits while randomly dropping its connection — and sometimes
 * "reloading" (a new engine adopting the old one's stored pending events). In the end all must hold
 * the identical state, equal to a replay of the server's log.
 */
const CLIENTS = 5;
const EDITS_PER_CLIENT = 200;
/** Chance per edit that the client drops its socket; it stays offline (editing) for a few edits. */
const DISCONNECT_CHANCE = 0.04;
/** Chance that a reconnect is a reload: a fresh engine over the same store, like a page reload. */
const RELOAD_CHANCE = 0.3;

function randomEdit(random: () => number, state: WorkspaceState, me: string, members: string[]): WorkspaceEvent {
	const tasks = [...state.tasks.keys()];
	const docs = [...state.docs.keys()];
	const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
	const id = () => `${me}-${Math.floor(random() * 1e9).toString(36)}`;
	const roll = random();
	if (tasks.length === 0 || roll < 0.2)
		return {
			name: 'task.created',
			args: {
				id: id(),
				title: `t${Math.floor(random() * 1000)}`,
				status: pick([...TASK_STATUSES]),
				order: random() * 10,
				assignee: null
			}
		};
	if (roll < 0.35)
		return { name: 'task.titleSet', args: { id: pick(tasks), title: `renamed ${Math.floor(random() * 1000)}` } };
	if (roll < 0.5)
		return { name: 'task.moved', args: { id: pick(tasks), status: pick([...TASK_STATUSES]), order: random() * 10 } };
	if (roll < 0.6) return { name: 'task.assigned', args: { id: pick(tasks), assignee: pick([...members, null]) } };
	if (roll < 0.67) return { name: 'task.deleted', args: { id: pick(tasks) } };
	if (docs.length === 0 || roll < 0.75) return { name: 'doc.created', args: { id: id(), title: 'Doc', body: '' } };
	if (roll < 0.85)
		return { name: 'doc.bodySet', args: { id: pick(docs), body: `body ${me} ${Math.floor(random() * 1e6)}` } };
	if (roll < 0.95)
		return { name: 'doc.titleSet', args: { id: pick(docs), title: `Doc ${Math.floor(random() * 100)}` } };
	return { name: 'doc.deleted', args: { id: pick(docs) } };
}

describe('workspace convergence', () => {
	it(`${CLIENTS} clients × ${EDITS_PER_CLIENT} random concurrent edits with disconnects converge on the log's replay`, async () => {
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'convergence');
		const users = [owner];
		for (let i = 1; i < CLIENTS; i++) {
			const member = await signedInUser(env);
			await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
				username: member.user.username,
				role: 'editor'
			});
			users.push(member);
		}
		const memberIds = users.map((u) => u.user.id);
		const clients = users.map((u) => new TestClient(workspaceId, u.cookie));
		for (const client of clients) {
			await client.start();
			await client.connect();
		}

		const seed = testSeed('workspace convergence');
		let reloads = 0;
		let disconnects = 0;
		await Promise.all(
			clients.map(async (client, index) => {
				const random = seededRandom(seed + index);
				let offlineFor = 0;
				for (let i = 0; i < EDITS_PER_CLIENT; i++) {
					const event = randomEdit(random, client.engine.view().state, `c${index}`, memberIds);
					await client.engine.commit(event);
					if (client.online && random() < DISCONNECT_CHANCE) {
						client.disconnect();
						disconnects++;
						offlineFor = 1 + Math.floor(random() * 15);
					} else if (!client.online && --offlineFor <= 0) {
						if (random() < RELOAD_CHANCE) {
							await client.start();
							reloads++;
						}
						await client.connect();
					}
					// Let frames flow between edits, unevenly, so pushes race each other.
					await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 3)));
				}
				if (!client.online) await client.connect();
			})
		);

		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
		await until(() => clients.every((c) => c.engine.view().pending === 0));
		const { head } = await stub.status();
		await until(() => clients.every((c) => c.engine.view().cursor === head));

		const log = await stub.readLog(0, 100_000);
		expect(log).toHaveLength(CLIENTS * EDITS_PER_CLIENT);
		expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
		const expected = replay(log);
		for (const client of clients) {
			expect(client.engine.view().state).toEqual(expected);
			expect(client.engine.confirmedState).toEqual(expected);
		}
		expect(disconnects).toBeGreaterThan(0);
		expect(reloads).toBeGreaterThan(0);
		// The clients really raced: some pushes lost and were rebased onto a newer head.
		expect(clients.reduce((n, c) => n + c.rejections, 0)).toBeGreaterThan(0);
		// Something real was built, not an empty board after a storm of deletes.
		expect(expected.tasks.size + expected.docs.size).toBeGreaterThan(0);
		for (const client of clients) client.disconnect();
	}, 60_000);
});

describe('workspace catch-up', () => {
	/** More than one pull burst (40 pages × 250 events), so the client must pull again mid-way. */
	const LOG_EVENTS = 10_500;
	const TASKS = 10;

	it(`a SyncEngine catching up on ${LOG_EVENTS} events gets each once, with a linear number of pulls and frames`, async () => {
		expect(LOG_EVENTS).toBeGreaterThan(PULL_BURST_MAX_PAGES * PULL_PAGE_MAX_EVENTS);
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'catch-up');
		const token = await tokenFor(owner.cookie);

		// Preload the log through the real protocol, 100 small events per push.
		const writer = await connect(workspaceId, token);
		const hello = (await writer.next('hello')).payload;
		writer.send('pull', { cursor: 0, backendId: hello.backendId });
		await writer.next('events', (m) => !m.payload.more);
		for (let head = 0; head < LOG_EVENTS; head += PUSH_MAX_EVENTS) {
			// Renames of a few tasks: the state stays small, so the test times the protocol, not the reducer.
			const events: PendingEvent[] = Array.from({ length: PUSH_MAX_EVENTS }, (_, i) => ({
				...(head + i < TASKS
					? {
							name: 'task.created' as const,
							args: { id: `t${i}`, title: 'new', status: 'todo' as const, order: i, assignee: null }
						}
					: { name: 'task.titleSet' as const, args: { id: `t${(head + i) % TASKS}`, title: `title ${head + i}` } }),
				clientId: 'catch-up-writer',
				clientSeq: head + i + 1,
				at: 1
			}));
			writer.send('push', { parent: head, events });
			await writer.next('events', (m) => m.payload.live);
		}
		writer.ws.close(1000);

		// A fresh client (the browser's engine) on a real socket, counting what crosses the wire.
		const engine = new SyncEngine(workspaceId, new MemoryPendingStore());
		await engine.init();
		const pulls: number[] = [];
		const seqs: number[] = [];
		let pages = 0;
		const { ws } = await engineOnSocket(engine, workspaceId, token, {
			onFrame: (frame) => {
				if (frame.type !== 'events') return;
				pages++;
				seqs.push(...frame.payload.events.map((e) => e.seq));
			},
			onSend: (message) => message.type === 'pull' && pulls.push(message.payload.cursor)
		});
		await until(() => engine.view().status === 'synced' && engine.view().cursor === LOG_EVENTS);

		// Every event exactly once, in order.
		expect(seqs).toEqual(Array.from({ length: LOG_EVENTS }, (_, i) => i + 1));
		// One pull per burst (plus the first), one frame per page: linear in the log size.
		const bursts = Math.ceil(LOG_EVENTS / (PULL_BURST_MAX_PAGES * PULL_PAGE_MAX_EVENTS));
		expect(pulls.length).toBeLessThanOrEqual(bursts + 1);
		expect(pages).toBeLessThanOrEqual(Math.ceil(LOG_EVENTS / PULL_PAGE_MAX_EVENTS) + pulls.length);
		// Each pull continues from the cursor the previous burst ended at.
		expect(pulls).toEqual([0, PULL_BURST_MAX_PAGES * PULL_PAGE_MAX_EVENTS]);
		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
		expect(engine.confirmedState).toEqual(replay(await stub.readLog(0, 100_000)));
		ws.close(1000);
		engine.dispose();
	}, 60_000);
});

describe('a push the server refuses for good', () => {
	it('drops only the offending event, syncs the others, shows the error and clears it on the next frame', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'refused');
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		// The owner's client id is bound to the owner once it has pushed.
		const ownerSocket = await connect(workspaceId, await tokenFor(owner.cookie));
		await ownerSocket.next('hello');
		const created = (clientId: string, clientSeq: number, title: string): PendingEvent => ({
			name: 'task.created',
			args: { id: `${clientId}-${clientSeq}`, title, status: 'todo', order: clientSeq, assignee: null },
			clientId,
			clientSeq,
			at: 1
		});
		ownerSocket.send('push', { parent: 0, events: [created('owner-client', 1, 'owner task')] });
		await ownerSocket.next('events');

		// The member's queue (left by an earlier session) holds an event under the owner's client id
		// between two good ones: the server refuses any batch containing it, every time.
		const store = new MemoryPendingStore();
		await store.addPending(workspaceId, created('member-client', 1, 'good one'));
		await store.addPending(workspaceId, created('owner-client', 2, 'forged'));
		await store.addPending(workspaceId, created('member-client', 2, 'good two'));
		const engine = new SyncEngine(workspaceId, store);
		await engine.init();
		const errors: string[] = [];
		engine.subscribe((view) => {
			if (view.status === 'error' && view.error) errors.push(view.error);
		});
		const { ws } = await engineOnSocket(engine, workspaceId, await tokenFor(member.cookie));

		await until(() => engine.view().pending === 0 && engine.view().cursor === 3);
		const log = await env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId)).readLog();
		expect(log.map((e) => `${e.clientId}#${e.clientSeq}`)).toEqual([
			'owner-client#1',
			'member-client#1',
			'member-client#2'
		]);
		expect(engine.view().dropped).toBe(1);
		expect(await store.loadPending(workspaceId)).toEqual([]);
		// The refusal was shown, and cleared by the next frame the server answered normally.
		expect(errors.some((e) => e.startsWith('forbidden'))).toBe(true);
		expect(engine.view().error).toBeNull();
		expect(engine.view().status).toBe('synced');
		expect(engine.view().state.tasks.get('member-client-2')?.title).toBe('good two');
		ws.close(1000);
		ownerSocket.ws.close(1000);
		engine.dispose();
	});
});

describe('the push rate limit', () => {
	it('answers rate-limited with retryAfterMs, and the engine backs off and still delivers every edit', async () => {
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'rate-limit');
		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
		const token = await tokenFor(owner.cookie);
		const engine = new SyncEngine(workspaceId, new MemoryPendingStore());
		await engine.init();
		const limited: number[] = [];
		const { ws } = await engineOnSocket(engine, workspaceId, token, {
			onFrame: (frame) => {
				if (frame.type === 'error' && frame.payload.code === 'rate-limited')
					limited.push(frame.payload.retryAfterMs ?? -1);
			}
		});
		await until(() => engine.view().status === 'synced');
		// Two pushes per 300 ms for this test (the real budget is far larger).
		await runInDurableObject(stub, async (instance: WorkspaceSync) => {
			instance.pushLimit = { burst: 2, windowMs: 300 };
		});

		for (let i = 0; i < 6; i++) {
			await engine.commit({
				name: 'task.created',
				args: { id: `rl-${i}`, title: `edit ${i}`, status: 'todo', order: i, assignee: null }
			});
			await until(() => engine.view().pending === 0);
		}
		expect(limited.length).toBeGreaterThan(0);
		expect(limited.every((ms) => ms > 0 && ms <= 300)).toBe(true);
		const log = await stub.readLog();
		expect(log.map((e) => e.args)).toEqual(
			Array.from({ length: 6 }, (_, i) => expect.objectContaining({ id: `rl-${i}` }))
		);
		expect(engine.view().error).toBeNull();
		expect(engine.view().dropped).toBe(0);
		ws.close(1000);
		engine.dispose();
	});
});
