import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, uniqueName } from './support/auth';
import { addTask } from './support/board';

/** Sign-up that waits for hydration and gives argon2id time on a loaded machine (as workspace.test.ts). */
async function signUp(page: Page, username: string, displayName: string) {
	await page.goto('/signup', { waitUntil: 'networkidle' });
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Display name').fill(displayName);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByTestId('nav-user')).toHaveText(displayName, { timeout: 30_000 });
}

/** The editor's text without the remote cursors' name labels (widgets inside the content). */
function editorText(page: Page): Promise<string> {
	return page.getByLabel('Document body').evaluate((content) => {
		const copy = content.cloneNode(true) as HTMLElement;
		copy.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer').forEach((node) => node.remove());
		return [...copy.querySelectorAll('.cm-line')].map((line) => line.textContent).join('\n');
	});
}

/**
 * Two people in one doc, in two browser contexts: both type at the same moment and neither loses a
 * word (Yjs merges keystroke by keystroke); each sees who else is in the doc and their cursor and
 * selection, gone within seconds when they leave. A task's description is such a text too.
 */
test('two people typing in one doc at the same moment both keep every word', async ({ browser }) => {
	const [aliceContext, bobContext] = [await browser.newContext(), await browser.newContext()];
	const [alice, bob] = [await aliceContext.newPage(), await bobContext.newPage()];
	const bobName = uniqueName('bob');
	await signUp(alice, uniqueName('alice'), 'Alice Writer');
	await signUp(bob, bobName, 'Bob Writer');

	await alice.goto('/workspace');
	await alice.getByLabel('Workspace name').fill('Novel');
	await alice.getByRole('button', { name: 'Create workspace' }).click();
	await expect(alice.getByTestId('workspace-name')).toHaveText('Novel');
	const base = new URL(alice.url()).pathname;
	await alice.getByRole('link', { name: 'Members' }).click();
	await alice.getByLabel('Username').fill(bobName);
	await alice.getByRole('button', { name: 'Add member' }).click();
	await expect(alice.getByTestId('member-list')).toContainText('Bob Writer');

	await alice.goto(`${base}/docs`);
	await alice.getByRole('button', { name: 'New document' }).click();
	await alice.getByLabel('Document title').fill('Chapter one');
	await bob.goto(`${base}/docs`);
	await bob.getByRole('button', { name: 'Chapter one', exact: true }).click();
	for (const page of [alice, bob]) await expect(page.getByTestId('text-status')).toHaveText('synced');

	// Both type at once, keystroke by keystroke, into the same (empty) spot.
	const aliceText = 'Alice wrote this sentence on the train.';
	const bobText = 'Bob wrote this one at his desk.';
	await alice.getByLabel('Document body').click();
	await bob.getByLabel('Document body').click();
	await Promise.all([alice.keyboard.type(aliceText, { delay: 25 }), bob.keyboard.type(bobText, { delay: 25 })]);
	for (const page of [alice, bob]) {
		await expect(page.getByLabel('Document body')).toContainText(aliceText);
		await expect(page.getByLabel('Document body')).toContainText(bobText);
	}
	const texts = await Promise.all([alice, bob].map(editorText));
	expect(texts[0]).toBe(texts[1]);

	// Presence: each sees who else is here, and the other's cursor with their name.
	await expect(alice.getByTestId('text-presence')).toHaveText('Bob Writer');
	await expect(bob.getByTestId('text-presence')).toHaveText('Alice Writer');
	await expect(alice.locator('.cm-ySelectionInfo')).toHaveText('Bob Writer');
	// A selection shows too: Bob selects his sentence's first word.
	await bob.keyboard.press('Home');
	await bob.keyboard.press('Shift+ArrowRight');
	await expect(alice.locator('.cm-ySelection')).not.toHaveCount(0);
	// Bob leaves: within seconds Alice no longer sees him or his cursor (the awareness timeout is 30 s).
	await bob.close();
	await expect(alice.getByTestId('text-presence')).toHaveText('', { timeout: 5_000 });
	await expect(alice.locator('.cm-ySelectionInfo')).toHaveCount(0);

	// A task's description is the same kind of text, on the task's detail view.
	await alice.goto(base);
	await addTask(alice, 'To do', 'Write the blurb');
	await alice.getByRole('link', { name: 'Details of Write the blurb' }).click();
	await expect(alice.getByTestId('task-detail-title')).toHaveText('Write the blurb');
	await expect(alice.getByTestId('text-status')).toHaveText('synced');
	await alice.getByLabel('Task description').click();
	await alice.keyboard.type('Two paragraphs, **no spoilers**.');
	const bobAgain = await bobContext.newPage();
	await bobAgain.goto(alice.url());
	await expect(bobAgain.getByLabel('Task description')).toContainText('Two paragraphs, **no spoilers**.');

	// The preview renders markdown, and raw HTML in the source stays text.
	await alice.keyboard.press('Control+End');
	await alice.keyboard.type('\n\n# Heading\n\n<img src=x onerror=alert(1)>');
	await alice.getByRole('button', { name: 'Preview' }).click();
	await expect(alice.getByTestId('text-preview').getByRole('heading', { name: 'Heading' })).toBeVisible();
	await expect(alice.getByTestId('text-preview')).toContainText('<img src=x onerror=alert(1)>');
	await expect(alice.getByTestId('text-preview').locator('img')).toHaveCount(0);
});
