import { expect, test, type Page } from '@playwright/test';
import { CHAT_RATE_BURST } from '../src/lib/protocol/chat-limits';
import { connected, twoInARoom } from './support/chat';

/**
 * A burst past the room's send budget (the default: 10 at once, then one per second): every message is
 * delivered, in the order typed, with nothing to click, while the sender's composer says it is waiting.
 */
const BURST = 20;
const texts = Array.from({ length: BURST }, (_, i) => `burst ${i + 1}`);
/** The budget's own pace for the part past the burst, plus slack for a loaded machine. */
const DELIVERY_MS = (BURST - CHAT_RATE_BURST) * 1_000 + 15_000;

/**
 * Types each message into the composer and presses Enter, as fast as the keyboard goes (insertText is one
 * input event, like a paste or an IME commit). An idle machine does 20 in well under 2 s; a loaded one
 * may take longer, so the tests do not assert the time (it is recorded as an annotation) but that the
 * burst outran the budget: the composer shows the rate-limit wait, which only a refused send starts.
 */
async function typeBurst(page: Page, messages: string[]) {
	await page.getByLabel('Message', { exact: true }).focus();
	const started = Date.now();
	for (const text of messages) {
		await page.keyboard.insertText(text);
		await page.keyboard.press('Enter');
	}
	const elapsed = Date.now() - started;
	test.info().annotations.push({ type: 'typed', description: `${messages.length} messages in ${elapsed} ms` });
}

test.describe.configure({ timeout: 90_000 });

test('a burst of 20 Enters: the other member gets all of them in order, and a later message stays last', async ({
	browser,
	baseURL
}) => {
	const { owner: alice, member: bob } = await twoInARoom(browser, baseURL!, ['Alice Burst', 'Bob Burst']);
	await typeBurst(alice, texts);

	const wait = alice.getByTestId('rate-limit-wait');
	await expect(wait).toHaveText(/^Rate limit: sending \d+ more in \d+ s\.$/);
	// Typed while the burst still waits: it goes to the end of the line, it does not overtake.
	await typeBurst(alice, ['typed after the burst']);
	const all = [...texts, 'typed after the burst'];

	await expect(bob.getByTestId('message-text')).toHaveText(all, { timeout: DELIVERY_MS });
	await expect(alice.getByTestId('message-text')).toHaveText(all);
	await expect(alice.getByTestId('pending-message')).toHaveCount(0);
	await expect(wait).toHaveText('');
	await expect(alice.getByText('Enter to send, Shift+Enter for a new line.')).toBeVisible();
});

test('a reload in the middle of a burst keeps the queue and still delivers every message once, in order', async ({
	browser,
	baseURL
}) => {
	const { owner: alice, member: bob } = await twoInARoom(browser, baseURL!, ['Alice Reload', 'Bob Reload']);
	await typeBurst(alice, texts);
	// The budget is spent and part of the burst is still waiting in the outbox when the page goes away.
	await expect(alice.getByTestId('rate-limit-wait')).toHaveText(/^Rate limit: sending \d+ more/);
	// The first one past the burst has arrived: the room is pacing the rest.
	await expect(bob.getByTestId('message-text').nth(CHAT_RATE_BURST)).toBeVisible({ timeout: 10_000 });
	const queued = await alice.getByTestId('pending-message').count();
	expect(queued).toBeGreaterThan(0);

	await alice.reload();
	await connected(alice);
	await expect(bob.getByTestId('message-text')).toHaveText(texts, { timeout: DELIVERY_MS });
	await expect(alice.getByTestId('message-text')).toHaveText(texts);
	await expect(alice.getByTestId('pending-message')).toHaveCount(0);
	// Once more after the queue drained: the room holds each message exactly once.
	await bob.reload();
	await connected(bob);
	await expect(bob.getByTestId('message-text')).toHaveText(texts);
});
