import { expect, test } from '@playwright/test';
import { PASSWORD, uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

test('an invite link survives "Create an account", and the owner copies it with one click', async ({
	browser,
	baseURL
}) => {
	const ownerContext = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
	const owner = await ownerContext.newPage();
	await signUp(owner, baseURL!, 'Owner Invite');
	const roomName = uniqueName('invite');
	await owner.goto('/chat');
	await owner.getByLabel('Room name').fill(roomName);
	await owner.getByRole('radio', { name: /Private/ }).check();
	await owner.getByRole('button', { name: 'Create room' }).click();
	await expect(owner.getByRole('heading', { level: 1 })).toHaveText(roomName);
	const roomPath = new URL(owner.url()).pathname;

	// Copy: the button says so, and the clipboard holds the link shown.
	await owner.getByRole('button', { name: 'Invite link' }).click();
	const invite = await owner.getByLabel(/Invite link/).inputValue();
	expect(invite).toMatch(/\/chat\/invite\/[a-z2-7]{32}$/);
	await owner.getByRole('button', { name: 'Copy link' }).click();
	await expect(owner.getByRole('button', { name: 'Copied' })).toBeVisible();
	expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(invite);

	// A signed-out person opens it, is asked to sign in, and makes an account instead.
	const guest = await (await browser.newContext()).newPage();
	await guest.goto(invite);
	await expect(guest).toHaveURL(/\/signin\?next=/);
	await guest.getByRole('link', { name: 'Create an account' }).click();
	await expect(guest).toHaveURL(/\/signup\?next=/);
	// A client-side navigation: the sign-in page's own Username field is there until this heading is.
	await expect(guest.getByRole('heading', { name: 'Create your account' })).toBeVisible();
	await guest.getByLabel('Username').fill(uniqueName('guest'));
	await guest.getByLabel('Display name').fill('Guest Invite');
	await guest.getByLabel('Password').fill(PASSWORD);
	await guest.getByRole('button', { name: 'Sign up' }).click();
	// Back on the invite, not the home page.
	await expect(guest.getByRole('heading', { name: `Join “${roomName}”?` })).toBeVisible();
	expect(new URL(guest.url()).pathname).toBe(new URL(invite).pathname);
	await expect(guest.getByTestId('nav-user')).toHaveText('Guest Invite');
	await guest.getByRole('button', { name: 'Join room' }).click();
	await expect(guest).toHaveURL(roomPath);
	await connected(guest);

	// Where the Clipboard API is missing (an http:// LAN address is no secure context) the link is selected.
	const plain = await ownerContext.newPage();
	await plain.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
	await plain.goto(roomPath);
	await connected(plain);
	await plain.getByRole('button', { name: 'Invite link' }).click();
	const field = plain.getByLabel(/Invite link/);
	await expect(field).toHaveValue(/\/chat\/invite\/[a-z2-7]{32}$/);
	await plain.getByRole('button', { name: 'Copy link' }).click();
	await expect(plain.getByText('Selected: press Ctrl+C (⌘C on a Mac) to copy.')).toBeVisible();
	await expect(field).toBeFocused();
	const selected = await field.evaluate((input: HTMLInputElement) => [input.selectionStart, input.selectionEnd]);
	expect(selected).toEqual([0, (await field.inputValue()).length]);
});
