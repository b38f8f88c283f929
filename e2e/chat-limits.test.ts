import { expect, test } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

test('room names and messages show their limit in characters before it, and nothing is cut', async ({
	page,
	baseURL
}) => {
	await signUp(page, baseURL!, 'Limits Person');
	await page.goto('/chat');
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	const name = page.getByLabel('Room name');
	const count = page.locator('#room-name-count');

	// The count shows from 45 characters on (and goes again below).
	await name.fill('n'.repeat(45));
	await expect(count).toHaveText('45/60 characters');
	await name.fill('n'.repeat(44));
	await expect(count).toHaveText('');
	// Pasting too much keeps all of it, says so, and the server refuses it with the name as typed.
	const tooLong = `${uniqueName('r')}-`.padEnd(61, 'x');
	await name.fill(tooLong);
	await expect(name).toHaveValue(tooLong);
	await expect(count).toHaveText('61/60 — A room name can be at most 60 characters: remove 1.');
	await page.getByRole('button', { name: 'Create room' }).click();
	await expect(page.getByRole('alert')).toHaveText('Room names are at most 60 characters; this one has 61.');
	await expect(page.getByLabel('Room name')).toHaveValue(tooLong);

	// Sixty emoji are sixty characters (120 UTF-16 units, 240 bytes).
	const emojiName = '🎉'.repeat(60);
	await page.getByLabel('Room name').fill(emojiName);
	await expect(page.locator('#room-name-count')).toHaveText('60/60 characters');
	await page.getByRole('button', { name: 'Create room' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(emojiName);
	await connected(page);

	// The composer counts characters: 4,000 emoji (16 KB, four times the old 4 KiB byte limit) go.
	const message = page.getByLabel('Message', { exact: true });
	const send = page.getByRole('button', { name: 'Send' });
	await message.fill('😀'.repeat(3600));
	await expect(page.getByTestId('composer-count')).toHaveText('3,600 of 4,000 characters');
	await message.fill('😀'.repeat(3599));
	await expect(page.getByTestId('composer-count')).toHaveCount(0);
	await message.fill('😀'.repeat(4001));
	await expect(page.locator('#composer-hint')).toContainText('Too long: 4,001 of 4,000 characters — remove 1 to send.');
	await expect(send).toBeDisabled();
	await message.fill('😀'.repeat(4000));
	await expect(page.getByTestId('composer-count')).toHaveText('4,000 of 4,000 characters');
	await send.click();
	const text = page.getByTestId('message-text');
	await expect(text).toHaveCount(1);
	expect([...((await text.textContent()) ?? '').trim()]).toHaveLength(4000);
	await expect(message).toHaveValue('');
});
