import { env } from 'cloudflare:workers';
import { listDurableObjectIds } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PendingEvent } from '$lib/protocol/workspace-messages';
import { columnTasks, replay, sortedDocs } from '$lib/protocol/workspace-reducer';
import { PROTOTYPE_NAMES } from '../../../testing/prototype-names';
import { signedInUser } from '../../../testing/users';
import { connect, createWorkspaceVia, openSocket, refusalOf, tokenFor } from '../../../testing/workspace';

/**
 * Names of Object.prototype as ids, through the whole worker (exports.default.fetch): as workspace ids
 * in the socket route (no membership, so 403 before any Durable Object exists) and as task and doc ids
 * in a real workspace's log.
 */

let owner: Awaited<ReturnType<typeof signedInUser>>;
let workspaceId: string;
let token: string;

beforeAll(async () => {
	owner = await signedInUser(env);
	workspaceId = await createWorkspaceVia(owner.cookie);
	token = await tokenFor(owner.cookie);
});

/** Whether a WorkspaceSync object named `name` has ever been created (it has storage) in this test file. */
async function objectExists(name: string): Promise<boolean> {
	const id = env.WORKSPACE_SYNC.idFromName(name);
	return (await listDurableObjectIds(env.WORKSPACE_SYNC)).some((existing) => existing.equals(id));
}

describe('a workspace socket for a prototype name', () => {
	it('is refused with 403 before any Durable Object is created, with a valid token', async () => {
		// Positive control: the member's own workspace socket does create its object, so the listing
		// below really sees objects that a socket request creates.
		expect(await objectExists(workspaceId)).toBe(false);
		const own = await connect(workspaceId, token);
		await own.next('hello');
		expect(await objectExists(workspaceId)).toBe(true);
		own.ws.close(1000);

		for (const name of PROTOTYPE_NAMES) {
			const response = await openSocket(name, token);
			expect(response.status, name).toBe(403);
			expect(await refusalOf(response)).toEqual({
				code: 'not-a-member',
				message: 'You are not a member of this workspace.'
			});
			expect(await objectExists(name), `no WorkspaceSync object for ${name}`).toBe(false);
		}
	});
});

describe('prototype names as task and doc ids', () => {
	it('are stored, served to a second client and replay to the real board', async () => {
		const pusher = await connect(workspaceId, token);
		const hello = (await pusher.next('hello')).payload;
		pusher.send('pull', { cursor: 0, backendId: hello.backendId });
		await pusher.next('events', (m) => !m.payload.more);

		let clientSeq = 0;
		const event = (e: Omit<PendingEvent, 'clientId' | 'clientSeq' | 'at'>) =>
			({ ...e, clientId: 'proto-ids-client', clientSeq: ++clientSeq, at: Date.now() }) as PendingEvent;
		// The move before the create is what wrote a ghost entry into a plain-object board.
		const events = PROTOTYPE_NAMES.flatMap((id, i) => [
			event({ name: 'task.moved', args: { id, status: 'done', order: 0 } }),
			event({ name: 'task.created', args: { id, title: `Task ${id}`, status: 'todo', order: i, assignee: null } }),
			event({ name: 'doc.created', args: { id, title: `Doc ${id}`, body: `Body ${id}` } })
		]);
		pusher.send('push', { parent: hello.head, events });
		const appended = await pusher.next('events', (m) => m.payload.live);
		expect(appended.payload.events).toHaveLength(events.length);

		// A second client catching up from zero gets the same log; replayed, it is the real board.
		const reader = await connect(workspaceId, token);
		const readerHello = (await reader.next('hello')).payload;
		reader.send('pull', { cursor: 0, backendId: readerHello.backendId });
		const page = await reader.next('events', (m) => !m.payload.more);
		const state = replay(page.payload.events);
		expect(columnTasks(state, 'todo').map((t) => t.id)).toEqual([...PROTOTYPE_NAMES]);
		expect(columnTasks(state, 'done')).toEqual([]);
		expect(sortedDocs(state).map((d) => d.title)).toEqual(
			PROTOTYPE_NAMES.map((id) => `Doc ${id}`).sort((a, b) => a.localeCompare(b))
		);
		pusher.ws.close(1000);
		reader.ws.close(1000);
	});
});
