import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { QUESTION_MAX } from '$lib/assistant/limits';
import { POST as chatPost } from '../../../routes/workspace/[id]/assistant/chat/+server';
import { llmRequests, scriptLlm } from '../../../testing/llm-script';
import { signedInUser } from '../../../testing/users';
import { createWorkspaceVia, ORIGIN, postAction } from '../../../testing/workspace';
import type { WorkspaceSync } from '../workspace/workspace-sync';
import { workspaceStub } from './workspace-bridge';

/**
 * The assistant's routes through the whole worker, whose LLM_BASE_URL points at the local
 * OpenAI-compatible server (vitest.config.ts): who may ask, in which role the object applies the
 * tools' writes (D1's, as of now), the caps and budgets, and that the key reaches no response or log.
 */
const llmUrl = inject('llmUrl');
const MODEL = 'route-model'; // this file's alone (vitest.config.ts)
const KEY = 'sk-route-test-key-never-logged';
let logged: string[] = [];

beforeEach(() => {
	logged = [];
	for (const level of ['log', 'warn', 'error', 'info'] as const) {
		const original = console[level];
		vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
			logged.push(args.map(String).join(' '));
			original(...args);
		});
	}
});
afterEach(() => vi.restoreAllMocks());

function ask(cookie: string, workspaceId: string, body: unknown, origin = ORIGIN) {
	return exports.default.fetch(
		new Request(`${ORIGIN}/workspace/${workspaceId}/assistant/chat`, {
			method: 'POST',
			headers: { cookie, origin, 'content-type': 'application/json' },
			body: typeof body === 'string' ? body : JSON.stringify(body)
		})
	);
}

async function team() {
	const owner = await signedInUser(env);
	const viewer = await signedInUser(env);
	const workspaceId = await createWorkspaceVia(owner.cookie, 'assistant');
	await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
		username: viewer.user.username,
		role: 'viewer'
	});
	return { owner, viewer, workspaceId };
}

describe('assistant routes', { timeout: 30_000 }, () => {
	it("applies tool writes under the asker's D1 role: a viewer's are refused by the object", async () => {
		const { owner, viewer, workspaceId } = await team();
		const createCall = { toolCalls: [{ name: 'createTasks', arguments: { tasks: [{ title: 'From the viewer' }] } }] };
		await scriptLlm(llmUrl, MODEL, [createCall, { text: ['Refused.'] }]);
		const refused = await (await ask(viewer.cookie, workspaceId, { question: 'Add a task' })).text();
		expect(refused).toContain('"code":"forbidden"');
		expect((await workspaceStub(env, workspaceId).status()).head).toBe(0);

		await scriptLlm(llmUrl, MODEL, [createCall, { text: ['Added.'] }]);
		const applied = await (await ask(owner.cookie, workspaceId, { question: 'Add a task' })).text();
		expect(applied).toContain('"status":"applied"');
		const [event] = await workspaceStub(env, workspaceId).readLog();
		expect(event).toMatchObject({ name: 'task.created', userId: owner.user.id });

		// The viewer still sees the whole conversation (the page's data), both questions included.
		const page = await exports.default.fetch(
			new Request(`${ORIGIN}/workspace/${workspaceId}/assistant/__data.json`, { headers: { cookie: viewer.cookie } })
		);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('From the viewer');

		const requests = await llmRequests(llmUrl, MODEL);
		expect(requests.at(-1)!.authorization).toBe(`Bearer ${KEY}`);
		expect(refused + applied).not.toContain(KEY);
		expect(logged.join('\n')).not.toContain(KEY);
		expect(logged.join('\n')).not.toContain('Add a task');
		expect(logged.filter((l) => l.includes('"assistant call"')).length).toBe(2);
	});

	it('refuses strangers, other sites, empty and oversized questions, and spent budgets', async () => {
		const { owner, workspaceId } = await team();
		const stranger = await signedInUser(env);
		expect((await ask(stranger.cookie, workspaceId, { question: 'hi' })).status).toBe(404);
		expect((await ask('', workspaceId, { question: 'hi' })).status).toBe(401);
		expect((await ask(owner.cookie, workspaceId, { question: 'hi' }, 'https://evil.example')).status).toBe(403);
		expect((await ask(owner.cookie, workspaceId, { question: '   ' })).status).toBe(400);
		expect((await ask(owner.cookie, workspaceId, '{not json')).status).toBe(400);
		const long = await ask(owner.cookie, workspaceId, { question: 'x'.repeat(QUESTION_MAX + 1) });
		expect(long.status).toBe(400);
		expect(((await long.json()) as { error: { message: string } }).error.message).toContain(`${QUESTION_MAX}`);
		expect((await ask(owner.cookie, workspaceId, { question: 'x'.repeat(QUESTION_MAX * 5) })).status).toBe(413);

		await runInDurableObject(workspaceStub(env, workspaceId), (instance: WorkspaceSync) => {
			instance.assistantHost.personLimit = { burst: 1, windowMs: 60_000 };
		});
		await (await ask(owner.cookie, workspaceId, { question: 'one' })).text();
		const spent = await ask(owner.cookie, workspaceId, { question: 'two' });
		expect(spent.status).toBe(429);
		expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
	});

	it('says how to enable the assistant when it is not configured', async () => {
		const { owner, workspaceId } = await team();
		const request = new Request(`${ORIGIN}/workspace/${workspaceId}/assistant/chat`, {
			method: 'POST',
			headers: { origin: ORIGIN, 'content-type': 'application/json' },
			body: JSON.stringify({ question: 'hi' })
		});
		const event = {
			request,
			params: { id: workspaceId },
			locals: { user: owner.user, session: null },
			platform: { env: { ...env, LLM_BASE_URL: '', LLM_MODEL: '' } }
		} as unknown as Parameters<typeof chatPost>[0];
		const response = await chatPost(event);
		expect(response.status).toBe(503);
		expect(await response.json()).toMatchObject({
			error: { code: 'assistant-off', message: expect.stringContaining('LLM_BASE_URL') }
		});
	});

	it('lets only the asker confirm an action, and refuses malformed decisions', async () => {
		const { owner, viewer, workspaceId } = await team();
		const decide = (cookie: string, actionId: string, body: unknown) =>
			exports.default.fetch(
				new Request(`${ORIGIN}/workspace/${workspaceId}/assistant/actions/${actionId}`, {
					method: 'POST',
					headers: { cookie, origin: ORIGIN, 'content-type': 'application/json' },
					body: JSON.stringify(body)
				})
			);
		await scriptLlm(llmUrl, MODEL, [
			{ toolCalls: [{ name: 'createTasks', arguments: { tasks: [{ title: 'Keep' }] } }] },
			{ text: ['ok'] }
		]);
		const body = await (await ask(owner.cookie, workspaceId, { question: 'add' })).text();
		const actionId = /"actionId":"([^"]+)"/.exec(body)![1];
		expect((await decide(viewer.cookie, actionId, { decision: 'undo' })).status).toBe(403);
		expect((await decide(owner.cookie, actionId, { decision: 'drop' })).status).toBe(400);
		expect((await decide(owner.cookie, '__proto__', { decision: 'undo' })).status).toBe(404);
		expect((await decide(owner.cookie, actionId, { decision: 'undo' })).status).toBe(200);
		expect((await decide(owner.cookie, actionId, { decision: 'undo' })).status).toBe(409);
	});
});
