import { expect, test, type Page } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

async function createRoom(page: Page, name: string): Promise<string> {
	await page.goto('/chat');
	await page.getByLabel('Room name').fill(name);
	await page.getByRole('button', { name: 'Create room' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
	return new URL(page.url()).pathname.split('/').pop()!;
}

const row = (page: Page, name: string) => page.getByTestId('room-row').filter({ hasText: name });

/**
 * Records every Notification the page creates, around the browser's own class (which still does its
 * work): what the app shows, and the last one, so the test can click it as a person would.
 */
function recordNotifications() {
	const Real = window.Notification;
	const shown: { title: string; body?: string }[] = [];
	class Recorded extends Real {
		constructor(title: string, options?: NotificationOptions) {
			super(title, options);
			shown.push({ title, body: options?.body });
			Object.assign(window, { lastNotification: this });
		}
		static get permission() {
			return Real.permission;
		}
		static requestPermission = Real.requestPermission.bind(Real);
	}
	Object.assign(window, { Notification: Recorded, shownNotifications: shown });
}
const shown = (page: Page) =>
	page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications);

test('unread and mention counts in the room list: live across two people, and the same after a reload', async ({
	browser,
	baseURL
}) => {
	const alice = await (await browser.newContext()).newPage();
	// Bob has allowed notifications in this browser; the page's Notification calls are recorded.
	const bobContext = await browser.newContext({ permissions: ['notifications'] });
	await bobContext.addInitScript(recordNotifications);
	const bob = await bobContext.newPage();
	// A page error (an effect that loops, say) fails the test even where the page still looks right.
	const pageErrors: string[] = [];
	for (const page of [alice, bob]) page.on('pageerror', (error) => pageErrors.push(error.message));
	await signUp(alice, baseURL!, 'Alice Unread');
	const { username: bobName } = await signUp(bob, baseURL!, 'Bob Unread');
	const [quiet, busy] = [uniqueName('quiet'), uniqueName('busy')];
	const quietId = await createRoom(alice, quiet);
	const busyId = await createRoom(alice, busy);
	for (const name of [quiet, busy]) {
		await bob.goto('/chat');
		await bob.getByRole('button', { name: `Join ${name}` }).click();
		await connected(bob);
	}
	const post = async (room: string, text: string) =>
		expect((await alice.request.post('/api/messages', { data: { room, text } })).status()).toBe(201);
	await post(quietId, 'first in quiet');

	// Bob's room list: the quiet room has news, and both rooms are listed newest activity first.
	await bob.goto('/chat');
	await expect(row(bob, quiet).getByTestId('room-unread')).toHaveText('1 unread');
	await expect(row(bob, quiet).getByTestId('room-preview')).toHaveText('Alice Unread: first in quiet');
	await expect(bob.getByTestId('room-name')).toHaveText([quiet, busy]);

	// Live: a mention in the other room moves it up and counts as unread and as a mention.
	await post(busyId, `hey @${bobName} <b>not bold</b>`);
	await expect(bob.getByTestId('room-name')).toHaveText([busy, quiet]);
	await expect(row(bob, busy).getByTestId('room-unread')).toHaveText('1 unread');
	await expect(row(bob, busy).getByTestId('room-mentions')).toHaveText('@1 mention');
	// The mention is a browser notification (permission granted, so no offer to turn them on), and the tab says so.
	await expect
		.poll(() => shown(bob))
		.toEqual([{ title: `Alice Unread mentioned you in ${busy}`, body: `hey @${bobName} <b>not bold</b>` }]);
	await expect(bob).toHaveTitle('(1) Chat · Murmur');
	await expect(bob.getByTestId('notification-offer')).toHaveCount(0);
	// The preview is text, never markup.
	await expect(row(bob, busy).getByTestId('room-preview')).toHaveText(`Alice Unread: hey @${bobName} <b>not bold</b>`);
	await post(busyId, 'and another');
	await expect(row(bob, busy).getByTestId('room-unread')).toHaveText('2 unread');

	// After a reload the counts come from the rooms themselves.
	await bob.reload();
	await expect(bob.getByTestId('room-name')).toHaveText([busy, quiet]);
	await expect(row(bob, busy).getByTestId('room-unread')).toHaveText('2 unread');
	await expect(row(bob, busy).getByTestId('room-mentions')).toHaveText('@1 mention');
	await expect(row(bob, quiet).getByTestId('room-unread')).toHaveText('1 unread');
	// Alice wrote everything: nothing is unread for her.
	await alice.goto('/chat');
	await expect(row(alice, busy).getByTestId('room-preview')).toHaveText('Alice Unread: and another');
	await expect(alice.getByTestId('room-unread')).toHaveCount(0);

	// Two tall messages, so the first unread one is off screen when Bob opens the room at the bottom.
	const tall = (n: number) => `tall ${n}\n${Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n')}`;
	await post(busyId, tall(1));
	await post(busyId, tall(2));
	await row(bob, busy).click();
	await connected(bob);
	const divider = bob.getByTestId('unread-divider');
	await expect(divider).toHaveCount(1);
	// The divider sits right above the first message Bob had not read.
	await expect(bob.locator('[data-testid="unread-divider"] + [data-testid="message"]')).toContainText(
		`hey @${bobName}`
	);
	await expect(divider).not.toBeInViewport();
	await bob.getByTestId('jump-to-unread').click();
	await expect(divider).toBeInViewport();
	await expect(bob.getByTestId('jump-to-unread')).toHaveCount(0);

	// What Bob saw is read: back in the list the room has nothing unread, and neither does a reload.
	await bob.getByRole('link', { name: '← Rooms' }).click();
	await expect(row(bob, busy).getByTestId('room-preview')).toContainText('tall 2');
	await expect(row(bob, busy).getByTestId('room-unread')).toHaveCount(0);
	await expect(row(bob, busy).getByTestId('room-mentions')).toHaveCount(0);
	await bob.reload();
	await expect(row(bob, quiet).getByTestId('room-unread')).toHaveText('1 unread');
	await expect(row(bob, busy).getByTestId('room-unread')).toHaveCount(0);
	await expect(bob).toHaveTitle('Chat · Murmur');

	// A mention in the quiet room while Bob is on the list: clicking its notification opens the room at it.
	await post(quietId, `@${bobName} one more thing`);
	await expect.poll(async () => (await shown(bob)).length).toBe(1); // a fresh page after the reload
	await expect(bob).toHaveTitle('(1) Chat · Murmur');
	await bob.evaluate(() =>
		(window as unknown as { lastNotification: Notification }).lastNotification.dispatchEvent(new Event('click'))
	);
	await expect(bob).toHaveURL(new RegExp(`/chat/${quietId}\\?message=2$`));
	await expect(bob.getByTestId('message').filter({ hasText: 'one more thing' })).toBeInViewport();
	await expect(bob).toHaveTitle(`${quiet} · Chat · Murmur`);

	// Without the permission decided, the room list offers notifications; "Not now" is remembered.
	await alice.goto('/chat');
	await alice.getByRole('button', { name: 'Not now' }).click();
	await expect(alice.getByTestId('notification-offer')).toHaveCount(0);
	await alice.reload();
	await expect(alice.getByRole('heading', { name: 'Your rooms' })).toBeVisible();
	await expect(alice.getByTestId('notification-offer')).toHaveCount(0);
	expect(pageErrors).toEqual([]);
});
