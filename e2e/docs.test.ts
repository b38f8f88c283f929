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
 * selection, gone within seconds when they leave. A task's description is such a text too. Then the
 * offline shell: a reload with no network opens the workspace, takes edits, and syncs them once online.
 */
test('two people typing in one doc at the same moment both keep every word', async ({ browser }) => {
	// One flow for docs, presence, task descriptions and the offline shell: two sign-ups, not eight.
	test.setTimeout(120_000);
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

	// The preview renders markdown, and raw HTML in the source stays text.
	await alice.keyboard.press('Control+End');
	await alice.keyboard.type('\n\n# Heading\n\n<img src=x onerror=alert(1)>');
	await alice.getByRole('button', { name: 'Preview' }).click();
	await expect(alice.getByTestId('text-preview').getByRole('heading', { name: 'Heading' })).toBeVisible();
	await expect(alice.getByTestId('text-preview')).toContainText('<img src=x onerror=alert(1)>');
	await expect(alice.getByTestId('text-preview').locator('img')).toHaveCount(0);
	await alice.getByRole('button', { name: 'Edit' }).click();

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

	// Offline app shell: once the service worker holds this page, a reload with no network opens it from
	// the shell, with the task and its description from IndexedDB; edits made then sync when back online.
	await expect
		.poll(() =>
			alice.evaluate(async () => !!(await (await caches.open('murmur-pages')).match(location.href.split('?')[0])))
		)
		.toBe(true);
	await aliceContext.setOffline(true);
	await alice.reload();
	await expect(alice.getByTestId('task-detail-title')).toHaveText('Write the blurb');
	await expect(alice.getByLabel('Task description')).toContainText('Two paragraphs, **no spoilers**.');
	await alice.getByLabel('Task description').click();
	await alice.keyboard.press('Control+End');
	await alice.keyboard.type(' Written offline.');
	await alice.getByRole('link', { name: '← Board' }).click();
	await addTask(alice, 'Doing', 'Added offline');
	await expect(alice.getByTestId('column-doing')).toContainText('Added offline');
	await aliceContext.setOffline(false);
	await expect(bobAgain.getByLabel('Task description')).toContainText('Written offline.');
	await bobAgain.goto(base);
	await expect(bobAgain.getByTestId('column-doing')).toContainText('Added offline');

	// The shell never kept an API answer or a socket route; signing out drops the kept pages.
	const kept = () =>
		alice.evaluate(async () => {
			const urls: string[] = [];
			for (const name of await caches.keys())
				for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
			return urls;
		});
	expect((await kept()).filter((path) => path.startsWith('/api/') || path.endsWith('/ws'))).toEqual([]);
	expect((await kept()).some((path) => path.startsWith('/workspace/'))).toBe(true);
	await alice.getByRole('button', { name: 'Sign out' }).click();
	await expect(alice.getByRole('link', { name: 'Sign in' })).toBeVisible();
	await expect.poll(async () => (await kept()).filter((path) => path.startsWith('/workspace/'))).toEqual([]);
});
