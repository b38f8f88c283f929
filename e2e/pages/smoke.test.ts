import { expect, test, type Browser, type Page } from '@playwright/test';
import { decodeQr } from '../support/swarm';
import { signUp, uniqueName } from '../support/auth';
import { addTask } from '../support/board';
import { connected } from '../support/chat';
import { appOrigin, realtimeOrigin, sockets } from './playwright.config';

/**
 * The Pages shape end to end: the app from Pages Functions, every Durable Object in the murmur-realtime
 * worker. One walk through the three apps, checking on the way that every socket went where this socket
 * way says: the Pages origin (forwarded through `script_name` bindings) or the realtime worker's origin
 * (with a ticket).
 */
test(`Pages shape (${sockets} sockets): sign up, chat, a swarm device by QR, a workspace edit`, async ({ browser }) => {
	const opened = socketLog();
	const alice = await newPage(browser, opened);
	const bob = await newPage(browser, opened);
	const { displayName: aliceName } = await signUp(alice, uniqueName('alice'), 'Alice Pages');
	const { username: bobUsername } = await signUp(bob, uniqueName('bob'), 'Bob Pages');

	// Chat: Alice's message reaches Bob's browser.
	const roomName = uniqueName('room');
	await alice.goto('/chat');
	await alice.getByLabel('Room name').fill(roomName);
	await alice.getByRole('button', { name: 'Create room' }).click();
	await expect(alice.getByRole('heading', { level: 1 })).toHaveText(roomName);
	await connected(alice);
	await bob.goto('/chat');
	await bob.getByRole('button', { name: `Join ${roomName}` }).click();
	await connected(bob);
	await alice.getByLabel('Message', { exact: true }).fill('hello from Pages');
	await alice.getByLabel('Message', { exact: true }).press('Enter');
	await expect(bob.getByTestId('message-list').getByTestId('message-text')).toHaveText(['hello from Pages']);
	await expect(bob.getByTestId('message-list')).toContainText(aliceName);
	// Search: the realtime worker's ChatRoom queued the message, the realtime worker's consumer indexed it
	// into D1, and the Pages app finds it.
	await expect(async () => {
		await bob.goto('/chat/search?q=hello');
		await expect(bob.getByTestId('search-result')).toHaveCount(1, { timeout: 1_000 });
	}).toPass({ timeout: 30_000 });
	await expect(bob.getByTestId('search-result').locator('mark')).toHaveText(['hello']);

	// Swarm: a device with no account joins by the decoded QR code and finishes a job's chunks.
	await alice.goto('/swarm');
	const swarmName = uniqueName('swarm');
	await alice.getByLabel('Swarm name').fill(swarmName);
	await alice.getByRole('button', { name: 'Create swarm' }).click();
	await expect(alice.getByTestId('dashboard-status')).toHaveText('connected');
	await alice.getByRole('button', { name: 'Create join link' }).click();
	const joinUrl = await decodeQr(alice.getByTestId('join-qr'));
	expect(joinUrl).toBe(await alice.getByTestId('join-link').inputValue());
	const device = await newPage(browser, opened);
	await device.goto(joinUrl);
	await device.getByLabel('Device name').fill('Pages phone');
	await device.getByRole('button', { name: 'Join and lend my CPU' }).click();
	await expect(device.getByTestId('device-connection')).toHaveText('connected');
	await expect(device.getByTestId('runner-status')).toHaveText('idle', { timeout: 30_000 });
	await alice.getByLabel('Job kind').selectOption('primes');
	await alice.getByLabel('Below').fill('200000');
	await alice.getByLabel('Chunk size').fill('100000');
	await alice.getByRole('button', { name: 'Submit job' }).click();
	// π(200,000) = 17,984, from the device's two chunks.
	await expect(alice.getByTestId('job-answer').first()).toHaveText('17,984', { timeout: 30_000 });

	// Workspace: Alice adds Bob, and an edit on one board converges on the other.
	await alice.goto('/workspace');
	await alice.getByLabel('Workspace name').fill('Pages plan');
	await alice.getByRole('button', { name: 'Create workspace' }).click();
	await expect(alice.getByTestId('workspace-name')).toHaveText('Pages plan');
	const boardUrl = new URL(alice.url()).pathname;
	await alice.getByRole('link', { name: 'Members' }).click();
	await alice.getByLabel('Username').fill(bobUsername);
	await alice.getByRole('button', { name: 'Add member' }).click();
	await expect(alice.getByTestId('member-list')).toContainText('Bob Pages');
	await alice.goto(boardUrl);
	await bob.goto(boardUrl);
	await expect(alice.getByTestId('sync-status')).toHaveText('synced');
	await expect(bob.getByTestId('sync-status')).toHaveText('synced');
	await addTask(alice, 'To do', 'Ship the Pages shape');
	await expect(bob.getByTestId('column-todo')).toContainText('Ship the Pages shape');
	await addTask(bob, 'Done', 'Bob was here');
	await expect(alice.getByTestId('column-done')).toContainText('Bob was here');

	// Every app opened its sockets where this way says, and nowhere else.
	const expected = sockets === 'realtime' ? realtimeOrigin : appOrigin;
	expect(opened.paths()).toEqual(expect.arrayContaining(['/chat/', '/swarm/', '/workspace/']));
	expect(opened.origins()).toEqual([expected.replace(/^http/, 'ws')]);
});

/** Every WebSocket the test's pages open: their origins, and which apps they were for. */
function socketLog() {
	const urls: URL[] = [];
	return {
		add: (url: string) => urls.push(new URL(url)),
		origins: () => [...new Set(urls.map((u) => u.origin))],
		paths: () => [...new Set(urls.map((u) => u.pathname.replace(/^(\/\w+\/).*/, '$1')))]
	};
}

async function newPage(browser: Browser, log: ReturnType<typeof socketLog>): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	page.on('websocket', (ws) => log.add(ws.url()));
	return page;
}
