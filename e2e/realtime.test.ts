import { expect, test } from '@playwright/test';
import { signUp } from './support/auth';
import { twoInARoom } from './support/chat';

test('two browsers see each other on the realtime smoke page', async ({ browser }) => {
	const alice = await (await browser.newContext()).newPage();
	const bob = await (await browser.newContext()).newPage();
	await signUp(alice, undefined, 'Alice Smoke');
	await signUp(bob, undefined, 'Bob Smoke');
	await alice.goto('/realtime');
	await bob.goto('/realtime');
	await expect(alice.getByTestId('socket-status')).toHaveText('connected');
	await expect(bob.getByTestId('socket-status')).toHaveText('connected');

	await alice.getByLabel('Message').fill('hello from alice');
	await alice.getByRole('button', { name: 'Send' }).click();
	await expect(bob.getByTestId('relay-log')).toContainText('Alice Smoke: hello from alice');

	await bob.getByLabel('Message').fill('hi alice');
	await bob.getByRole('button', { name: 'Send' }).click();
	await expect(alice.getByTestId('relay-log')).toContainText('Bob Smoke: hi alice');
});

test('every app shows the same connection status, and "offline" when the browser is offline', async ({
	browser,
	baseURL
}) => {
	const { owner } = await twoInARoom(browser, baseURL!, ['Olga Offline', 'Mo Member']);
	const status = owner.getByTestId('chat-status');
	await expect(status).toHaveText('connected');
	await owner.context().setOffline(true);
	await expect(status).toHaveText('offline');
	await expect(status).toHaveAttribute('data-state', 'offline');
	await owner.context().setOffline(false);
	await expect(status).toHaveText('connected');

	// The relay page uses the same client and badge.
	await owner.goto('/realtime');
	await expect(owner.getByTestId('socket-status')).toHaveText('connected');
	await owner.context().setOffline(true);
	await expect(owner.getByTestId('socket-status')).toHaveText('offline');
	await owner.context().setOffline(false);
	await expect(owner.getByTestId('socket-status')).toHaveText('connected');
});
