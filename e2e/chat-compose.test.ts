import { expect, test } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

/**
 * Writing in a room, in one walk with two people (Alice at a desktop with a keyboard, Bob on a 390 px
 * touch phone) and a third member, Carol: @mention suggestions by keyboard and by touch, mentions
 * highlighted (your own more strongly), ↑ to edit your last message, the emoji picker for the composer
 * and for reactions, who reacted on hover and long-press, and day separators (the browser's clock moved
 * on a day, then three: the messages are real, from the room).
 */
test('mentions, ↑ edit, emoji picker, who reacted and day separators', async ({ browser, baseURL }) => {
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

	// ↑ in the empty composer edits Alice's last message, starting from its markdown source.
	await composer.press('ArrowUp');
	const edit = alice.getByLabel('Edit message');
	await expect(edit).toBeFocused();
	await expect(edit).toHaveValue(`look @${b.username} at **this**`);
	await edit.fill(`look @${b.username} at **that**`);
	await edit.press('Enter');
	await expect(composer).toBeFocused();
	await expect(bobsView.locator('strong')).toHaveText('that');
	await expect(bobsView).toContainText('(edited)');

	// The composer's emoji picker: search by name, Enter inserts the first match at the caret.
	await alice.getByRole('button', { name: 'Insert emoji' }).click();
	const picker = alice.getByRole('dialog', { name: 'Insert an emoji' });
	await picker.getByLabel('Search emoji').fill('rocket');
	await expect(picker.getByRole('button', { name: 'rocket', exact: true })).toBeVisible();
	await picker.getByLabel('Search emoji').press('Enter');
	await expect(picker).toHaveCount(0);
	await expect(composer).toBeFocused();
	await composer.pressSequentially(' launch');
	await composer.press('Enter');
	await expect(bob.getByTestId('message-text').last()).toHaveText('🚀 launch');

	// Bob reacts from the full picker on his phone (beyond the quick six).
	const launch = bob.getByTestId('message').filter({ hasText: 'launch' });
	await launch.getByRole('button', { name: 'Add reaction' }).tap();
	await launch.getByRole('button', { name: 'More…' }).tap();
	const reactPicker = launch.getByRole('dialog', { name: 'Add a reaction' });
	await reactPicker.getByLabel('Search emoji').fill('party');
	await reactPicker.getByRole('button', { name: 'party popper' }).tap();
	const aliceChip = alice.getByTestId('message').filter({ hasText: 'launch' }).getByTestId('reaction');
	await expect(aliceChip).toHaveText('🎉 1');

	// Who reacted: Alice hovers; Bob long-presses, which shows the names and does not toggle.
	await aliceChip.hover();
	await expect(alice.getByTestId('reacted-by')).toHaveText('Bob Compose reacted with 🎉');
	const bobChip = launch.getByTestId('reaction');
	const box = (await bobChip.boundingBox())!;
	const touch = await bob.context().newCDPSession(bob);
	const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
	await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
	await expect(bob.getByTestId('reacted-by')).toHaveText('You reacted with 🎉');
	await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
	// Carol, now offline and never an author (her name comes from the members API), reacts too: 2, not
	// 1, so Bob's long press did not take his reaction back.
	await carol.close();
	const history = await carol.request.get(`/api/messages?room=${roomPath.split('/').pop()}`);
	const { messages } = (await history.json()) as { messages: { id: string; text: string }[] };
	const launchId = messages.find((m) => m.text.endsWith('launch'))!.id;
	const react = await carol.request.put(`/api/messages/${launchId}/react`, {
		data: { room: roomPath.split('/').pop(), emoji: '🎉', on: true }
	});
	expect(react.status()).toBe(200);
	await expect(aliceChip).toHaveText('🎉 2');
	await expect(bobChip).toHaveAttribute('aria-pressed', 'true');
	await alice.mouse.move(0, 0);
	await aliceChip.hover();
	await expect(alice.getByTestId('reacted-by')).toHaveText('Bob Compose and Carol Compose reacted with 🎉');

	// Day separators: today for Alice; a day later the same messages are "Yesterday", three days later a date.
	await expect(alice.getByTestId('day-separator')).toHaveText(['Today']);
	const later = await (await browser.newContext()).newPage();
	await signUp(later, baseURL!, 'Dana Later');
	await later.clock.setSystemTime(Date.now() + 24 * 3600_000);
	await later.goto(roomPath);
	await later.getByRole('button', { name: 'Join room' }).click();
	await connected(later);
	await expect(later.getByTestId('day-separator')).toHaveText(['Yesterday']);
	await later.clock.setSystemTime(Date.now() + 3 * 24 * 3600_000);
	await later.reload();
	await connected(later);
	const weekday = await later.evaluate(() =>
		new Date(Date.now() - 3 * 24 * 3600_000).toLocaleDateString(undefined, { weekday: 'long' })
	);
	await expect(later.getByTestId('day-separator')).toHaveText([new RegExp(`^\\s*${weekday}, `)]);
});
