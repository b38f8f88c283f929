import { expect, test } from '@playwright/test';
import { addTask } from '../support/board';

/**
 * With REQUIRE_AUTH=false anyone may open the demo workspace without an account: each browser gets its
 * own guest id (the murmur_guest cookie), edits sync between guests like between members, and the rest of
 * the app still wants a sign-in.
 */
test('two visitors without accounts edit the demo workspace and see each other’s edits', async ({ browser }) => {
	const [first, second] = await Promise.all([1, 2].map(async () => (await browser.newContext()).newPage()));

	await first.goto('/workspace');
	await first.getByRole('link', { name: 'demo workspace' }).click();
	await expect(first).toHaveURL('/workspace/demo');
	await expect(first.getByTestId('workspace-name')).toHaveText('Demo workspace');
	await expect(first.getByTestId('sync-status')).toHaveText('synced');
	await expect(first.getByTestId('nav-user')).toHaveCount(0); // a visitor, not a member
	await second.goto('/workspace/demo');
	await expect(second.getByTestId('sync-status')).toHaveText('synced');

	await addTask(first, 'To do', 'Guest one was here');
	await expect(second.getByTestId('column-todo')).toContainText('Guest one was here');
	await second.getByRole('button', { name: 'Move Guest one was here to Doing' }).click();
	await addTask(second, 'Done', 'Guest two was here');
	for (const page of [first, second]) {
		await expect(page.getByTestId('column-doing')).toContainText('Guest one was here');
		await expect(page.getByTestId('column-done')).toContainText('Guest two was here');
		await expect(page.getByTestId('sync-status')).toHaveText('synced');
	}

	// Two browsers, two guests: each has its own id, kept across a reload.
	const guestId = async (page: typeof first) =>
		(await page.context().cookies()).find((c) => c.name === 'murmur_guest')?.value;
	const [one, two] = [await guestId(first), await guestId(second)];
	expect(one).toMatch(/^guest-/);
	expect(two).toMatch(/^guest-/);
	expect(one).not.toBe(two);
	await first.reload();
	await expect(first.getByTestId('sync-status')).toHaveText('synced');
	await expect(first.getByTestId('column-done')).toContainText('Guest two was here');
	expect(await guestId(first)).toBe(one);

	// The demo opens only itself: another workspace still asks for a sign-in.
	await first.goto(`/workspace/${crypto.randomUUID()}`);
	await expect(first).toHaveURL(/\/signin\?next=/);
});
