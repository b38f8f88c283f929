import { expect, test } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

/**
 * Writing in a room, in one walk with two people (Alice at a desktop with a keyboard, Bob on a 390 px
 * touch phone) and a third member who only needs to exist: @mention suggestions by keyboard and by touch,
 * mentions highlighted (your own more strongly).
 */
test('mentions: suggestions by keyboard and touch, highlighted in the message, yours more strongly', async ({
	browser,
	baseURL
}) => {
	const alice = await (await browser.newContext()).newPage();
	const bob = await (
		await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true })
	).newPage();
	const carol = await (await browser.newContext()).newPage();
	const a = await signUp(alice, baseURL!, 'Alice Compose');
	const b = await signUp(bob, baseURL!, 'Bob Compose');
	await signUp(carol, baseURL!, 'Carol Compose');

	const roomName = uniqueName('compose');
	await alice.goto('/chat');
	await alice.getByLabel('Room name').fill(roomName);
	await alice.getByRole('button', { name: 'Create room' }).click();
	await connected(alice);
	const roomPath = new URL(alice.url()).pathname;
	for (const page of [bob, carol]) {
		await page.goto(roomPath);
		await page.getByRole('button', { name: 'Join room' }).click();
		await connected(page);
	}

	// Alice types "@": both other members are offered (not herself); ↓/↑ move, Escape closes.
	const composer = alice.getByLabel('Message', { exact: true });
	await composer.pressSequentially('look @');
	const suggestions = alice.getByTestId('mention-suggestions').getByRole('option');
	await expect(suggestions).toHaveCount(2);
	await expect(suggestions.first()).toHaveAttribute('aria-selected', 'true');
	await composer.press('ArrowDown');
	await expect(suggestions.nth(1)).toHaveAttribute('aria-selected', 'true');
	await expect(composer).toHaveAttribute('aria-activedescendant', await suggestions.nth(1).getAttribute('id'));
	await composer.press('ArrowUp');
	await expect(suggestions.first()).toHaveAttribute('aria-selected', 'true');
	await composer.press('Escape');
	await expect(suggestions).toHaveCount(0);
	// A word of the display name finds Bob; Tab puts his @username in.
	await composer.pressSequentially('bo');
	await expect(suggestions).toHaveText([new RegExp(`Bob Compose\\s*@${b.username}$`)]);
	await composer.press('Tab');
	await expect(suggestions).toHaveCount(0);
	await expect(composer).toHaveValue(`look @${b.username} `);
	await composer.pressSequentially('at **this**');
	await composer.press('Enter');

	// Bob sees himself mentioned, marked as "you"; Alice sees an ordinary mention.
	const bobsView = bob.getByTestId('message-text').filter({ hasText: 'look' });
	await expect(bobsView.locator('strong')).toHaveText('this');
	await expect(bobsView.locator('.mention')).toHaveText(`@${b.username}`);
	await expect(bobsView.locator('.mention')).toHaveClass(/mention-me/);
	const alicesView = alice.getByTestId('message-text').filter({ hasText: 'look' });
	await expect(alicesView.locator('.mention')).toHaveText(`@${b.username}`);
	await expect(alicesView.locator('.mention')).not.toHaveClass(/mention-me/);

	// Bob, on the phone, taps a suggestion; the keyboard stays in the composer.
	const bobComposer = bob.getByLabel('Message', { exact: true });
	await bobComposer.tap();
	await bobComposer.pressSequentially('thanks @ali');
	await bob
		.getByTestId('mention-suggestions')
		.getByRole('option', { name: /Alice Compose/ })
		.tap();
	await expect(bobComposer).toHaveValue(`thanks @${a.username} `);
	await expect(bobComposer).toBeFocused();
	await bob.getByRole('button', { name: 'Send' }).tap();
	const reply = alice.getByTestId('message-text').filter({ hasText: 'thanks' });
	await expect(reply.locator('.mention-me')).toHaveText(`@${a.username}`);
});
