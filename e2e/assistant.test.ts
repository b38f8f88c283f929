import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { llmRequests, scriptLlm } from '../src/testing/llm-script';
import { LLM_KEY, LLM_MODEL, LLM_PORT, WRANGLER_LOG } from './support/assistant-llm';
import { sharedBoard } from './support/board';
import { startLlmServer, type LlmServer } from './support/llm-server';

/**
 * The workspace assistant end to end, against a local OpenAI-compatible server (no internet here):
 * Alice asks, the answer streams into her panel in order, the tasks its tool call creates appear on
 * Bob's board live; a delete waits for her confirmation in the panel and Undo brings the task back for
 * Bob too; Bob's open panel shows Alice's question, the answer and the action's state as they are
 * stored, without reloading, and Alice's panel holds each message once; the key reaches no response the browser gets and no line wrangler printed. One flow, one
 * pair of sign-ups. (Roles, caps, breaker, retries and timeouts are workerd specs: src/lib/server/assistant/.)
 */
let llm: LlmServer;
const llmUrl = `http://127.0.0.1:${LLM_PORT}`;
test.beforeAll(async () => void (llm = await startLlmServer(LLM_PORT)));
test.afterAll(async () => llm?.close());

const bodies: string[] = [];
function recordResponses(page: Page) {
	page.on('response', async (response) => {
		const type = response.headers()['content-type'] ?? '';
		if (/json|text|event-stream|javascript/.test(type)) bodies.push(await response.text().catch(() => ''));
	});
}

const boardTitles = (page: Page) =>
	page
		.getByRole('textbox', { name: /^Title of task/ })
		.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));

test('asking the assistant organises the board for everyone, with confirmation and Undo', async ({ browser }) => {
	test.setTimeout(150_000);
	const { alice, bob, boardUrl, bobName } = await sharedBoard(browser);
	recordResponses(alice);
	await alice.goto(`${boardUrl}/assistant`);
	await expect(alice.getByRole('link', { name: 'Assistant' })).toHaveAttribute('aria-current', 'page');

	// The model creates two tasks (one assigned to Bob by username), then answers in streamed pieces.
	const pieces = ['I added ', 'two tasks ', 'for the ', 'launch.'];
	await scriptLlm(llmUrl, LLM_MODEL, [
		{
			toolCalls: [
				{
					name: 'createTasks',
					arguments: { tasks: [{ title: 'Design the logo', assignee: bobName }, { title: 'Write the copy' }] }
				}
			]
		},
		{ text: pieces, delayMs: 250 }
	]);
	// Every text the answer shows, in order, as the page renders it.
	await alice.evaluate(() => {
		const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
		new MutationObserver(() => {
			const text = document
				.querySelector('[data-testid="assistant-answer"] [data-testid="assistant-text"]')
				?.textContent?.trim();
			if (text && seen.at(-1) !== text) seen.push(text);
		}).observe(document.body, { subtree: true, childList: true, characterData: true });
	});
	await alice.getByLabel('Ask the assistant').fill('Split the launch into tasks and give the design to Bob');
	await alice.getByRole('button', { name: 'Ask' }).click();
	await expect(alice.getByTestId('assistant-question')).toContainText('Split the launch');
	await expect(alice.getByTestId('assistant-tool-summary').first()).toHaveText('Created 2 tasks.');
	await expect(alice.getByTestId('assistant-text').first()).toHaveText('I added two tasks for the launch.');
	const seen = await alice.evaluate(() => (window as unknown as { seen: string[] }).seen);
	expect(seen.at(-1)).toBe('I added two tasks for the launch.');
	expect(seen.length).toBeGreaterThanOrEqual(3); // it arrived in pieces, not at once
	seen.forEach((text, i) => i > 0 && expect(text.startsWith(seen[i - 1])).toBe(true));

	// Bob, on the board, sees the cards appear — assigned as asked.
	await expect.poll(() => boardTitles(bob)).toEqual(['Design the logo', 'Write the copy']);
	await expect(bob.getByTestId('column-todo')).toContainText('Bob Board');

	// Deleting waits for Alice's confirmation in the panel; then Undo brings the task back.
	const requests = await llmRequests(llmUrl, LLM_MODEL);
	const toolMessage = (requests.at(-1)!.body.messages as { role: string; content: string }[]).find(
		(m) => m.role === 'tool'
	)!;
	const [, copyId] = (JSON.parse(toolMessage.content) as { ids: string[] }).ids;

	// Bob opens the panel in a second tab (the board stays open in the first): the conversation so far, by Alice.
	const bobPanel = await bob.context().newPage();
	await bobPanel.goto(`${boardUrl}/assistant`);
	await expect(bobPanel.getByTestId('assistant-question').first()).toContainText('Alice Board');
	await expect(bobPanel.getByTestId('assistant-text').first()).toHaveText('I added two tasks for the launch.');
	await expect(bobPanel.getByTestId('workspace-connection')).toHaveAttribute('data-state', 'online');
	await bobPanel.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
	await scriptLlm(llmUrl, LLM_MODEL, [
		{ toolCalls: [{ name: 'deleteTasks', arguments: { taskIds: [copyId] } }] },
		{ text: ['Confirm the delete in the panel.'] }
	]);
	await alice.getByLabel('Ask the assistant').fill('Delete the copy task');
	await alice.getByRole('button', { name: 'Ask' }).click();
	await alice.getByRole('button', { name: 'Review' }).click();
	// Alice's next question and its answer appear in Bob's open panel as they are stored.
	await expect(bobPanel.getByTestId('assistant-question').nth(1)).toContainText('Delete the copy task');
	await expect(bobPanel.getByTestId('assistant-text').nth(1)).toHaveText('Confirm the delete in the panel.');
	await expect(bobPanel.getByTestId('assistant-tool').last()).toContainText('waiting for its asker to confirm');
	await expect(bobPanel.getByRole('button', { name: 'Review' })).toHaveCount(0); // only the asker confirms
	const dialog = alice.getByRole('dialog', { name: "Confirm the assistant's change" });
	await expect(dialog).toContainText('Delete 1 task: “Write the copy”');
	expect(await boardTitles(bob)).toEqual(['Design the logo', 'Write the copy']); // nothing happened yet
	await dialog.getByRole('button', { name: 'Delete' }).click();
	await expect.poll(() => boardTitles(bob)).toEqual(['Design the logo']);
	await expect(bobPanel.getByTestId('assistant-tool').last()).not.toContainText('waiting for its asker');
	await alice.getByRole('button', { name: 'Undo' }).last().click();
	await expect.poll(() => boardTitles(bob)).toEqual(['Design the logo', 'Write the copy']);
	await expect(bobPanel.getByTestId('assistant-tool-status')).toHaveText('(undone)');
	expect(await bobPanel.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
	// Alice streamed her own copies; the ones every member was sent replaced them, never doubled them.
	await expect(alice.getByTestId('assistant-question')).toHaveCount(2);
	await expect(alice.getByTestId('assistant-answer')).toHaveCount(2);
	await expect(bobPanel.getByTestId('assistant-answer')).toHaveCount(2);

	// The key went to the provider only.
	expect(requests[0].authorization).toBe(`Bearer ${LLM_KEY}`);
	expect(bodies.length).toBeGreaterThan(3);
	for (const body of bodies) expect(body).not.toContain(LLM_KEY);
	const wranglerOutput = readFileSync(WRANGLER_LOG, 'utf8');
	expect(wranglerOutput).toContain('"assistant call"');
	expect(wranglerOutput).not.toContain(LLM_KEY);
	expect(wranglerOutput).not.toContain('Split the launch');
});
