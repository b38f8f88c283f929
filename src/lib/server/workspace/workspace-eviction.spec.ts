import { evictDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { replay } from '$lib/protocol/workspace-reducer';
import { signedInUser } from '../../../testing/users';
import { createWorkspaceVia, postAction } from '../../../testing/workspace';
import { TestClient, until } from '../../../testing/workspace-sync-client';

/**
 * The runtime may evict a Durable Object whenever it likes: with hibernatable sockets it tears down the
 * instance and keeps the sockets (the next frame builds a new instance from storage and attachments), or
 * it drops the sockets too. Two browsers' sync engines keep editing across both kinds, mid-push; nothing
 * may be lost or doubled, each must resume (on the same socket after hibernation, by reconnecting and
 * pulling after a close) and both must end on the log's replay.
 */
const ROUNDS = 6;
const EDITS_PER_ROUND = 12;

/** Round r: every client creates a task and renames one of its own earlier ones, with frames flowing between. */
async function editRound(client: TestClient, name: string, round: number) {
	for (let i = 0; i < EDITS_PER_ROUND; i++) {
		const n = round * EDITS_PER_ROUND + i;
		await client.engine.commit(
			i % 3 === 2
				? { name: 'task.titleSet', args: { id: `${name}-${n - 1}`, title: `${name} ${n - 1}, renamed` } }
				: {
						name: 'task.created',
						args: { id: `${name}-${n}`, title: `${name} ${n}`, status: 'todo', order: n, assignee: null }
					}
		);
		await new Promise((resolve) => setTimeout(resolve, 1));
	}
}

describe('a WorkspaceSync evicted while two clients push and pull', () => {
	it('loses nothing: both resume on hibernated sockets or by reconnecting, and converge on the log', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'eviction');
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
		const clients = {
			alice: new TestClient(workspaceId, owner.cookie),
			bob: new TestClient(workspaceId, member.cookie)
		};
		const both = Object.values(clients);
		for (const client of both) {
			await client.start();
			await client.connect();
		}
		await until(() => both.every((c) => c.engine.view().status === 'synced'));

		for (let round = 0; round < ROUNDS; round++) {
			// Even rounds hibernate the sockets, odd rounds close them; every third round Bob "reloads" too.
			const webSockets = round % 2 === 0 ? 'hibernate' : 'close';
			const connectsBefore = both.map((c) => c.connects);
			const { head } = await stub.status();
			const editing = Promise.all(Object.entries(clients).map(([name, c]) => editRound(c, name, round)));
			// Evict once the object has taken a push of this round, i.e. with edits in flight on both sides.
			await until(() => both.some((c) => c.engine.view().cursor > head));
			await evictDurableObject(stub, { webSockets });
			await editing;
			if (webSockets === 'close') {
				await until(() => both.every((c) => !c.online));
				if (round % 3 === 0) await clients.bob.start();
				for (const client of both) await client.connect();
			}
			await until(() => both.every((c) => c.engine.view().pending === 0));
			const expectedConnects = connectsBefore.map((n) => (webSockets === 'close' ? n + 1 : n));
			expect(
				both.map((c) => c.connects),
				`round ${round} (${webSockets})`
			).toEqual(expectedConnects);
		}

		const { head } = await stub.status();
		await until(() => both.every((c) => c.engine.view().cursor === head));
		const log = await stub.readLog(0, 100_000);
		// Every edit exactly once, in one gap-free order.
		expect(log).toHaveLength(2 * ROUNDS * EDITS_PER_ROUND);
		expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
		expect(new Set(log.map((e) => `${e.clientId}#${e.clientSeq}`)).size).toBe(log.length);
		const expected = replay(log);
		for (const client of both) {
			expect(client.engine.view().state).toEqual(expected);
			expect(client.engine.confirmedState).toEqual(expected);
			client.disconnect();
		}
		// What was built is all there: two thirds of the edits created tasks, the last one renamed one.
		const titles = [...expected.tasks.values()].map((t) => t.title);
		expect(titles).toHaveLength((2 * ROUNDS * EDITS_PER_ROUND * 2) / 3);
		const last = ROUNDS * EDITS_PER_ROUND - 2;
		expect(titles).toEqual(expect.arrayContaining([`alice ${last}, renamed`, `bob ${last}, renamed`]));
	}, 60_000);
});
