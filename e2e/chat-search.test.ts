import { expect, test } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

/**
 * Search through the queue, in Chromium against wrangler dev's local queue: a message posted in a room is
 * found from the chat page's search box (once the CHAT_INDEX consumer has indexed it), with the hit marked
 * in a snippet that shows message text as text (the HTML in it is not parsed), and "open in room" lands
 * on that message in the room's history. A search FTS5 cannot read gets a clear message.
 */
test('post, search, see the marked snippet, and jump to the message', async ({ page, baseURL }) => {
	await signUp(page, baseURL!, 'Search Person');
	const roomName = uniqueName('room');
	await page.goto('/chat');
	await page.getByLabel('Room name').fill(roomName);
	await page.getByRole('button', { name: 'Create room' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(roomName);
	const roomPath = new URL(page.url()).pathname;
	await connected(page);

	const word = `okapi${uniqueName('').replace(/\W/g, '')}`;
	const composer = page.getByLabel('Message', { exact: true });
	for (const text of [
		`meet the ${word} at noon <img src=x onerror="document.title='pwned'">`,
		'something else entirely',
		'and a third message'
	]) {
		await composer.fill(text);
		await composer.press('Enter');
	}
	await expect(page.getByTestId('message-list').getByTestId('message-text')).toHaveCount(3);

	// From the chat page's search box. The queue consumer indexes within about a second: search again
	// until it has (each try a real search).
	await page.goto('/chat');
	await page.getByLabel('Search messages').fill(word);
	await page.getByLabel('Search messages').press('Enter');
	await expect(page).toHaveURL(`/chat/search?q=${word}`);
	const results = page.getByTestId('search-result');
	await expect(async () => {
		if ((await results.count()) === 0) await page.reload();
		await expect(results).toHaveCount(1, { timeout: 1_000 });
	}).toPass({ timeout: 20_000 });

	const result = results.first();
	await expect(result).toContainText(roomName);
	await expect(result).toContainText('Search Person');
	await expect(result.locator('mark')).toHaveText([word]);
	// The message's HTML is shown as text, never parsed: no element, nothing ran.
	await expect(result.getByTestId('search-snippet')).toContainText(`<img src=x onerror="document.title='pwned'">`);
	await expect(result.locator('img')).toHaveCount(0);
	expect(await page.title()).not.toBe('pwned');

	await result.getByRole('link').click();
	await expect(page).toHaveURL(`${roomPath}?at=1`);
	await connected(page);
	const target = page.getByTestId('message-list').locator('[data-seq="1"]');
	await expect(target).toHaveAttribute('aria-current', 'true');
	await expect(target).toBeInViewport();
	await expect(target.getByTestId('message-text')).toContainText(word);

	// A query FTS5 cannot read is answered on the page, not with an error page.
	await page.goto(`/chat/search?q=${encodeURIComponent(`${word} OR`)}`);
	await expect(page.getByRole('alert')).toContainText('That search could not be read');
	await page.goto(`/chat/search?q=${encodeURIComponent(`"${word}`)}`);
	await expect(page.getByRole('alert')).toContainText('Close the quote');
});
