import { expect, test } from '@playwright/test';
import { signUp } from './support/auth';

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
