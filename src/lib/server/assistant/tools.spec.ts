import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import * as Y from 'yjs';
import { fromBase64, TEXT_ROOT, toBase64 } from '$lib/protocol/doc-limits';
import { replay } from '$lib/protocol/workspace-reducer';
import { llmRequests, scriptLlm, type LlmStep } from '../../../testing/llm-script';
import { signedInUser } from '../../../testing/users';
import { connect, createWorkspaceVia, tokenFor, type TestSocket } from '../../../testing/workspace';
import type { WorkspaceSync } from '../workspace/workspace-sync';
import type { AssistantCaller } from './actions';
import { CircuitBreaker } from './breaker';
import { providerConfig } from './config';
import { runTurn } from './turn';
import { callAssistant, workspaceStub, workspaceToolHost } from './workspace-bridge';

/**
 * The assistant's tools act through the workspace's own log: a scripted model calls them, the
 * WorkspaceSync object appends real events as the asking person (or refuses a viewer's), a member's open
 * socket sees them live, destructive calls wait for the asker's confirmation, and Undo commits the
 * compensating events. Doc text goes through the Yjs text, so an open editor converges on it.
 */
const llmUrl = inject('llmUrl');

async function workspace() {
	const owner = await signedInUser(env);
	const workspaceId = await createWorkspaceVia(owner.cookie);
	const token = await tokenFor(owner.cookie);
	return { owner, workspaceId, token };
}

/** A member's socket, caught up and live. */
async function liveSocket(workspaceId: string, token: string): Promise<TestSocket> {
	const socket = await connect(workspaceId, token);
	await socket.next('hello');
	socket.send('pull', { cursor: 0, backendId: null });
	await socket.next('events', (m) => !m.payload.more);
	return socket;
}

async function turn(workspaceId: string, caller: AssistantCaller, model: string, steps: LlmStep[]) {
	await scriptLlm(llmUrl, model, steps);
	const host = workspaceToolHost(env, workspaceId, caller, [
		{ userId: caller.userId, username: 'asker' },
		{ userId: 'u-bob', username: 'bob' }
	]);
	const response = await runTurn({
		...host,
		config: providerConfig({ LLM_BASE_URL: `${llmUrl}/v1`, LLM_MODEL: model })!,
		workspaceId,
		question: 'Organise the board.',
		history: [],
		breaker: new CircuitBreaker({ threshold: 5, cooldownMs: 60_000 })
	});
	return response.text();
}

const state = async (workspaceId: string) => replay(await workspaceStub(env, workspaceId).readLog());

/** The tool result the model got back in its next request (role "tool" message content, parsed). */
async function toolResult(model: string) {
	const requests = await llmRequests(llmUrl, model);
	const messages = requests.at(-1)!.body.messages as { role: string; content: string }[];
	return JSON.parse(messages.find((m) => m.role === 'tool')!.content) as Record<string, unknown>;
}

describe('assistant tools', { timeout: 30_000 }, () => {
	it('create tasks as the asking person, seen live by a member, assigned by username', async () => {
		const { owner, workspaceId, token } = await workspace();
		const watcher = await liveSocket(workspaceId, token);
		const caller = { userId: owner.user.id, role: 'owner' as const };
		await turn(workspaceId, caller, 'm-create', [
			{
				toolCalls: [
					{
						name: 'createTasks',
						arguments: {
							tasks: [
								{ title: 'Design the logo', assignee: 'bob' },
								{ title: 'Write the copy', status: 'doing' }
							]
						}
					}
				]
			},
			{ text: ['Created two tasks.'] }
		]);
		const live = await watcher.next('events', (m) => m.payload.live);
		expect(live.payload.events.map((e) => [e.name, e.userId])).toEqual([
			['task.created', owner.user.id],
			['task.created', owner.user.id]
		]);
		const tasks = [...(await state(workspaceId)).tasks.values()];
		expect(tasks.map((t) => [t.title, t.status, t.assignee])).toEqual([
			['Design the logo', 'todo', 'u-bob'],
			['Write the copy', 'doing', null]
		]);
		expect(await toolResult('m-create')).toMatchObject({ ok: true, status: 'applied', summary: 'Created 2 tasks.' });
		watcher.ws.close(1000);
	});

	it("refuses a viewer's write in the object, whatever the model or UI asked", async () => {
		const { workspaceId } = await workspace();
		const viewer = { userId: 'u-viewer', role: 'viewer' as const };
		const before = (await workspaceStub(env, workspaceId).status()).head;
		await turn(workspaceId, viewer, 'm-viewer', [
			{ toolCalls: [{ name: 'createTasks', arguments: { tasks: [{ title: 'Sneaky' }] } }] },
			{ text: ['I cannot.'] }
		]);
		expect(await toolResult('m-viewer')).toMatchObject({ ok: false, code: 'forbidden' });
		// The object itself, asked directly, refuses too.
		const direct = await callAssistant(env, workspaceId, 'act', viewer, {
			kind: 'createTasks',
			tasks: [{ title: 'x' }]
		});
		expect(direct).toMatchObject({ ok: false, code: 'forbidden' });
		expect((await workspaceStub(env, workspaceId).status()).head).toBe(before);
	});

	it('holds a delete for the asker to confirm, then Undo brings the task back as it was', async () => {
		const { owner, workspaceId } = await workspace();
		const caller = { userId: owner.user.id, role: 'editor' as const };
		const created = await callAssistant(env, workspaceId, 'act', caller, {
			kind: 'createTasks',
			tasks: [{ title: 'Old task', status: 'doing' }]
		});
		const taskId = created.ok ? created.ids![0] : '';
		await turn(workspaceId, caller, 'm-delete', [
			{ toolCalls: [{ name: 'deleteTasks', arguments: { taskIds: [taskId] } }] },
			{ text: ['Waiting for you to confirm.'] }
		]);
		const pending = await toolResult('m-delete');
		expect(pending).toMatchObject({ ok: true, status: 'pending' });
		expect(pending.summary).toContain('“Old task”');
		expect((await state(workspaceId)).tasks.has(taskId)).toBe(true);

		const actionId = pending.actionId as string;
		const someoneElse = { userId: 'u-other', role: 'editor' as const };
		expect(await callAssistant(env, workspaceId, 'resolve', someoneElse, actionId, 'confirm')).toMatchObject({
			code: 'forbidden'
		});
		expect(await callAssistant(env, workspaceId, 'resolve', caller, actionId, 'confirm')).toMatchObject({
			status: 'applied'
		});
		expect((await state(workspaceId)).tasks.has(taskId)).toBe(false);
		expect(await callAssistant(env, workspaceId, 'resolve', caller, actionId, 'confirm')).toMatchObject({
			code: 'conflict'
		});

		expect(await callAssistant(env, workspaceId, 'resolve', caller, actionId, 'undo')).toMatchObject({
			status: 'undone'
		});
		expect((await state(workspaceId)).tasks.get(taskId)).toMatchObject({
			title: 'Old task',
			status: 'doing',
			order: 1
		});
		const { actions } = await callAssistant(env, workspaceId, 'history');
		expect(new Map(actions).get(actionId)).toBe('undone');
	});

	it('writes doc text through the Yjs text, so an open editor converges; Undo removes exactly that text', async () => {
		const { owner, workspaceId, token } = await workspace();
		const caller = { userId: owner.user.id, role: 'editor' as const };
		const created = await callAssistant(env, workspaceId, 'act', caller, {
			kind: 'createDoc',
			title: 'Notes',
			text: '# Launch'
		});
		const docId = created.ok ? created.ids![0] : '';
		const editor = await connect(workspaceId, token);
		await editor.next('hello');
		const doc = new Y.Doc();
		editor.send('doc-open', { textId: `doc:${docId}`, stateVector: toBase64(Y.encodeStateVector(doc)) });
		Y.applyUpdate(doc, fromBase64((await editor.next('doc-sync')).payload.update));
		expect(doc.getText(TEXT_ROOT).toString()).toBe('# Launch');

		const appended = await callAssistant(env, workspaceId, 'act', caller, {
			kind: 'appendToDoc',
			docId,
			text: '- ship it'
		});
		Y.applyUpdate(doc, fromBase64((await editor.next('doc-update')).payload.update));
		expect(doc.getText(TEXT_ROOT).toString()).toBe('# Launch\n- ship it');
		expect(await callAssistant(env, workspaceId, 'readDoc', docId)).toMatchObject({ text: '# Launch\n- ship it' });

		await callAssistant(env, workspaceId, 'resolve', caller, appended.ok ? appended.actionId : '', 'undo');
		Y.applyUpdate(doc, fromBase64((await editor.next('doc-update')).payload.update));
		expect(doc.getText(TEXT_ROOT).toString()).toBe('# Launch');
		editor.ws.close(1000);
	});

	it('refuses bad actions with a clear error and appends nothing', async () => {
		const { workspaceId } = await workspace();
		const caller = { userId: 'u-editor', role: 'editor' as const };
		for (const taskId of ['__proto__', 'constructor', 'missing']) {
			expect(
				await callAssistant(env, workspaceId, 'act', caller, { kind: 'renameTask', taskId, title: 'x' })
			).toMatchObject({
				ok: false,
				code: 'not-found'
			});
		}
		const tooMany = { kind: 'createTasks', tasks: Array.from({ length: 51 }, (_, i) => ({ title: `t${i}` })) };
		expect(await callAssistant(env, workspaceId, 'act', caller, tooMany)).toMatchObject({
			ok: false,
			code: 'bad-action'
		});
		expect(await callAssistant(env, workspaceId, 'act', caller, { kind: 'dropTables' })).toMatchObject({
			code: 'bad-action'
		});
		// A delete of an unknown task is refused at once, not held for a confirmation that cannot apply.
		expect(
			await callAssistant(env, workspaceId, 'act', caller, { kind: 'deleteTasks', taskIds: ['nope'] })
		).toMatchObject({
			code: 'not-found'
		});
		expect((await callAssistant(env, workspaceId, 'history')).actions).toEqual([]);
		expect((await workspaceStub(env, workspaceId).status()).head).toBe(0);
	});

	it('keeps per-person and per-workspace budgets in the object, shared by every caller', async () => {
		const workspaceId = `ws-${crypto.randomUUID()}`;
		await runInDurableObject(workspaceStub(env, workspaceId), (instance: WorkspaceSync) => {
			instance.assistantHost.personLimit = { burst: 2, windowMs: 60_000 };
			instance.assistantHost.workspaceLimit = { burst: 3, windowMs: 60_000 };
		});
		const admit = (userId: string) => callAssistant(env, workspaceId, 'admit', userId);
		expect(await admit('a')).toEqual({ retryAfterMs: 0 });
		expect(await admit('a')).toEqual({ retryAfterMs: 0 });
		expect(await admit('a')).toMatchObject({ scope: 'person', retryAfterMs: expect.any(Number) });
		expect(await admit('b')).toEqual({ retryAfterMs: 0 });
		expect(await admit('c')).toMatchObject({ scope: 'workspace' });
	});
});
