import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { signIn } from './support/auth';
import { addTask, sharedBoard } from './support/board';

/**
 * Another page on the board, synced. It gets the server's log in order, so once it shows an edit, every
 * edit logged before that one has reached it too: the positive marker an absence check waits for.
 */
async function watcherOn(context: BrowserContext, boardUrl: string) {
	const page = await context.newPage();
	await page.goto(boardUrl);
	await expect(page.getByTestId('sync-status')).toHaveText('synced');
	return page;
}

/** Unsent edits in this browser's IndexedDB (every user's workspace database), read in the page itself. */
function pendingInIndexedDb(page: Page): Promise<number> {
	return page.evaluate(async () => {
		const done = <T>(request: IDBRequest<T>) =>
			new Promise<T>((resolve, reject) => {
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
		let total = 0;
		for (const { name } of await indexedDB.databases()) {
			if (!name?.startsWith('murmur-workspace:')) continue;
			const db = await done(indexedDB.open(name));
			if (db.objectStoreNames.contains('pending'))
				total += await done(db.transaction('pending').objectStore('pending').count());
			db.close();
		}
		return total;
	});
}

test('two browsers edit the same board and converge', async ({ browser }) => {
	const { alice, bob } = await sharedBoard(browser);

	await addTask(alice, 'To do', 'Write the spec');
	await expect(bob.getByTestId('column-todo')).toContainText('Write the spec');

	// Concurrent edits from both sides.
	await Promise.all([addTask(alice, 'Doing', 'Alice task'), addTask(bob, 'Done', 'Bob task')]);
	await bob.getByRole('button', { name: 'Move Write the spec to Doing' }).click();
	await alice.getByLabel('Assignee of Write the spec').selectOption({ label: 'Bob Board' });

	for (const page of [alice, bob]) {
		await expect(page.getByTestId('column-doing')).toContainText('Write the spec');
		await expect(page.getByTestId('column-doing')).toContainText('Alice task');
		await expect(page.getByTestId('column-done')).toContainText('Bob task');
		await expect(page.getByLabel('Assignee of Write the spec')).toHaveValue(/.+/);
		await expect(page.getByTestId('sync-status')).toHaveText('synced');
	}
	const columns = async (page: Page) =>
		Promise.all(['todo', 'doing', 'done'].map((c) => page.getByTestId(`column-${c}`).getByTestId('task-card').count()));
	expect(await columns(alice)).toEqual(await columns(bob));

	// Rename and delete propagate too.
	const title = bob.getByLabel('Title of task Bob task');
	await title.fill('Bob task, renamed');
	await title.press('Enter');
	await expect(alice.getByTestId('column-done')).toContainText('Bob task, renamed');
	await alice.getByRole('button', { name: 'Delete Alice task' }).click();
	// Marker: an edit Alice makes after the delete reaches Bob, so the delete before it has been applied.
	await addTask(alice, 'Doing', 'After the delete');
	await expect(bob.getByTestId('column-doing')).toContainText('After the delete');
	await expect(bob.getByTestId('column-doing')).not.toContainText('Alice task');

	// Docs: one edits, the other sees it.
	await alice.getByRole('link', { name: 'Docs' }).click();
	await alice.getByRole('button', { name: 'New document' }).click();
	await alice.getByLabel('Document title').fill('Release notes');
	await alice.getByLabel('Document body').fill('Ship it on Friday.');
	await bob.getByRole('link', { name: 'Docs' }).click();
	await bob.getByRole('button', { name: 'Release notes', exact: true }).click();
	await expect(bob.getByLabel('Document body')).toContainText('Ship it on Friday.');
});

test('an edit made offline syncs when the browser comes back, even across a reload', async ({ browser }) => {
	const { alice, bob, bobContext, boardUrl } = await sharedBoard(browser);
	const watcher = await watcherOn(alice.context(), boardUrl);

	await bobContext.setOffline(true);
	await expect(bob.getByTestId('sync-status')).toHaveText('offline');
	await addTask(bob, 'To do', 'Made on the train');
	await expect(bob.getByTestId('column-todo')).toContainText('Made on the train');
	// Meanwhile Alice edits online: Bob must rebase his edit on top of this.
	await addTask(alice, 'To do', 'Made at the office');
	// Marker: Alice's edit, made after Bob's, went through the server to her other page. Had Bob's edit left
	// his offline browser, the log would hold it before hers and that page would show it by now.
	await expect(watcher.getByTestId('column-todo')).toContainText('Made at the office');
	for (const page of [alice, watcher]) {
		await expect(page.getByTestId('column-todo')).not.toContainText('Made on the train');
	}

	await bobContext.setOffline(false);
	await expect(alice.getByTestId('column-todo')).toContainText('Made on the train');
	await expect(bob.getByTestId('column-todo')).toContainText('Made at the office');
	await expect(bob.getByTestId('sync-status')).toHaveText('synced');

	// Offline again, edit, and close the page before it could sync: the edit waits in IndexedDB.
	await bobContext.setOffline(true);
	await expect(bob.getByTestId('sync-status')).toHaveText('offline');
	await addTask(bob, 'Doing', 'Survives a reload');
	await expect(bob.getByTestId('column-doing')).toContainText('Survives a reload');
	await expect.poll(() => pendingInIndexedDb(bob)).toBe(1); // the edit is on disk
	await bob.close();
	await bobContext.setOffline(false);
	// Marker: an edit Alice makes after Bob closed the page reaches her other page; Bob's edit was made
	// before it, so had the closing page sent it, it would be there first.
	await addTask(alice, 'Doing', 'While Bob is away');
	await expect(watcher.getByTestId('column-doing')).toContainText('While Bob is away');
	for (const page of [alice, watcher]) {
		await expect(page.getByTestId('column-doing')).not.toContainText('Survives a reload');
	}

	const reopened = await bobContext.newPage();
	await reopened.goto(boardUrl);
	await expect(alice.getByTestId('column-doing')).toContainText('Survives a reload');
	await expect(reopened.getByTestId('sync-status')).toHaveText('synced');
	const count = (page: Page) => page.getByTestId('task-card').count();
	expect(await count(reopened)).toBe(await count(alice));
});

test("the next person signing in on the same browser never gets the previous one's unsent edits", async ({
	browser
}) => {
	const { alice, bob, bobContext, boardUrl, aliceName, bobName } = await sharedBoard(browser);

	// Bob leaves an unsent edit in this browser's IndexedDB and signs out.
	await bobContext.setOffline(true);
	await expect(bob.getByTestId('sync-status')).toHaveText('offline');
	await addTask(bob, 'To do', 'Bob draft');
	await expect.poll(() => pendingInIndexedDb(bob)).toBe(1); // the draft is on disk
	await bobContext.setOffline(false);
	await bob.close();
	// Only workspace pages sync, so signing out from the home page leaves the draft unsent.
	const shared = await bobContext.newPage();
	await shared.goto('/');
	await shared.getByRole('button', { name: 'Sign out' }).click();
	await expect(shared.getByTestId('nav-user')).toHaveCount(0);

	// Alice, on Bob's browser: her board has no trace of Bob's draft, and she pushes nothing of his.
	await signIn(shared, aliceName);
	await expect(shared.getByTestId('nav-user')).toHaveText('Alice Board', { timeout: 30_000 });
	await shared.goto(boardUrl);
	await expect(shared.getByTestId('sync-status')).toHaveText('synced');
	// Marker: an edit Alice makes here is queued after anything this page loaded from IndexedDB, so once
	// her other browser shows it, a draft of Bob's pushed from this page would have arrived first.
	await addTask(shared, 'Doing', 'Alice on the shared laptop');
	await expect(alice.getByTestId('column-doing')).toContainText('Alice on the shared laptop');
	await expect(shared.getByTestId('sync-status')).toHaveText('synced');
	await expect(shared.getByTestId('column-todo')).not.toContainText('Bob draft');
	await expect(alice.getByTestId('column-todo')).not.toContainText('Bob draft');

	// Bob signs back in: his draft was kept for him and syncs now.
	await shared.getByRole('button', { name: 'Sign out' }).click();
	await expect(shared.getByTestId('nav-user')).toHaveCount(0);
	await signIn(shared, bobName);
	await expect(shared.getByTestId('nav-user')).toHaveText('Bob Board', { timeout: 30_000 });
	await shared.goto(boardUrl);
	await expect(alice.getByTestId('column-todo')).toContainText('Bob draft');
});
