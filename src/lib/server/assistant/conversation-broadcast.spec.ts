import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../workspace/assistant-conversation';
import { signedInUser } from '../../../testing/users';
import { connect, createWorkspaceVia, ORIGIN, postAction, tokenFor } from '../../../testing/workspace';
import { callAssistant } from './workspace-bridge';

/**
 * The conversation is live for every member: each message the WorkspaceSync object stores and each
 * action it resolves goes out over the workspace socket to the members' sockets — a viewer's too —
 * and to no socket of another workspace. The question keeps the id its asker's page chose, once.
 */
const question = (id: string, userId: string, text: string): StoredMessage => ({
	id,
	role: 'user',
	userId,
	at: Date.now(),
	parts: [{ type: 'text', text }]
});

async function memberSocket(workspaceId: string, cookie: string) {
	const socket = await connect(workspaceId, await tokenFor(cookie));
	await socket.next('hello');
	return socket;
}

describe('the assistant conversation over the workspace socket', { timeout: 30_000 }, () => {
	it("tells every member's socket of a stored message and a resolved action, and no other workspace's", async () => {
		const alice = await signedInUser(env);
		const bob = await signedInUser(env);
		const carol = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(alice.cookie, 'assistant live');
		const otherId = await createWorkspaceVia(carol.cookie, 'elsewhere');
		await postAction(alice.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: bob.user.username,
			role: 'viewer'
		});
		const bobSocket = await memberSocket(workspaceId, bob.cookie);
		const aliceSocket = await memberSocket(workspaceId, alice.cookie);
		const carolSocket = await memberSocket(otherId, carol.cookie);

		const asked = question('q-live-0001', alice.user.id, 'Split the launch into tasks');
		expect(await callAssistant(env, workspaceId, 'save', asked, true)).toBe(true);
		expect((await bobSocket.next('assistant-message')).payload.message).toEqual(asked);
		expect((await aliceSocket.next('assistant-message')).payload.message.id).toBe('q-live-0001');

		const answer: StoredMessage = {
			id: 'a-live-0001',
			role: 'assistant',
			userId: alice.user.id,
			at: Date.now(),
			parts: [{ type: 'text', text: 'Three tasks, one waits for you.' }]
		};
		await callAssistant(env, workspaceId, 'save', answer);
		expect((await bobSocket.next('assistant-message')).payload.message).toEqual(answer);

		const caller = { userId: alice.user.id, role: 'owner' as const };
		const created = await callAssistant(env, workspaceId, 'act', caller, {
			kind: 'createTasks',
			tasks: [{ title: 'Design the poster' }]
		});
		const taskId = created.ok ? created.ids![0] : '';
		const pending = await callAssistant(env, workspaceId, 'act', caller, { kind: 'deleteTasks', taskIds: [taskId] });
		expect(pending).toMatchObject({ ok: true, status: 'pending' });
		const actionId = pending.ok ? pending.actionId : '';
		await callAssistant(env, workspaceId, 'resolve', caller, actionId, 'cancel');
		expect((await bobSocket.next('assistant-action')).payload).toEqual({ actionId, status: 'cancelled' });

		// The other workspace's socket: its own conversation's message arrives (processed after all of the
		// above, on the same path), and nothing of the first workspace ever did.
		await callAssistant(env, otherId, 'save', question('q-other-0001', carol.user.id, 'Hello'));
		expect((await carolSocket.next('assistant-message')).payload.message.id).toBe('q-other-0001');
		const seen = carolSocket.received.filter((m) => m.type === 'assistant-message' || m.type === 'assistant-action');
		expect(seen).toHaveLength(1);
		// …and Bob was not sent the other workspace's message (his next one is a fresh marker of his own).
		await callAssistant(env, workspaceId, 'save', question('q-live-0002', bob.user.id, 'Marker'));
		expect((await bobSocket.next('assistant-message')).payload.message.id).toBe('q-live-0002');
		expect(JSON.stringify(bobSocket.received)).not.toContain('q-other-0001');
	});

	it('refuses a question id already used, keeping the first question and telling nobody', async () => {
		const alice = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(alice.cookie, 'question ids');
		const socket = await memberSocket(workspaceId, alice.cookie);
		await callAssistant(env, workspaceId, 'save', question('q-taken-0001', alice.user.id, 'First'), true);
		await socket.next('assistant-message');

		const ask = (body: unknown) =>
			exports.default.fetch(
				new Request(`${ORIGIN}/workspace/${workspaceId}/assistant/chat`, {
					method: 'POST',
					headers: { cookie: alice.cookie, origin: ORIGIN, 'content-type': 'application/json' },
					body: JSON.stringify(body)
				})
			);
		const replayed = await ask({ question: 'Overwrite it', id: 'q-taken-0001' });
		expect(replayed.status).toBe(409);
		expect(await replayed.json()).toMatchObject({ error: { code: 'id-taken' } });
		for (const id of ['short', 'has space in it', 'x'.repeat(65)]) {
			expect((await ask({ question: 'Hi', id })).status).toBe(400);
		}
		// Direct to the object too: an id already used is refused, the stored question unchanged.
		expect(await callAssistant(env, workspaceId, 'save', question('q-taken-0001', alice.user.id, 'Again'), true)).toBe(
			false
		);
		const { messages } = await callAssistant(env, workspaceId, 'history');
		expect(messages.map((m) => m.parts)).toEqual([[{ type: 'text', text: 'First' }]]);

		// The socket was told only of the first question: a marker saved now is the next thing it gets.
		await callAssistant(env, workspaceId, 'save', question('q-marker-0001', alice.user.id, 'Marker'), true);
		expect((await socket.next('assistant-message')).payload.message.id).toBe('q-marker-0001');
		expect(socket.received.filter((m) => m.type === 'assistant-message')).toHaveLength(2);
	});
});
