import { chromium, expect, test } from '@playwright/test';
import { lanWranglerArgs } from '../tools/lan.mjs';
import { signUp, uniqueName } from './support/auth';
import { addTask } from './support/board';
import { connected } from './support/chat';
import { chromiumLaunchOptions } from './support/chromium';
import { createSwarm, decodeQr, joinAsDevice, runPrimesJob, startServer } from './support/swarm';

/**
 * Issue 13, item 1: a phone on the same Wi-Fi joins the swarm from `npm run start:lan`. A server started
 * with the arguments start:lan uses (tools/lan.mjs: listen on 0.0.0.0, PUBLIC_ORIGIN = the LAN address)
 * stands in for the laptop; the "LAN address" is the name murmur-lan.test, which the phone's browser
 * resolves to 127.0.0.2 (another address of this machine, not the one the owner uses). Not being
 * localhost, the phone's page is not a secure context — exactly like a phone opening http://192.168.x.y.
 */
const port = Number(process.env.E2E_LAN_PORT ?? Number(process.env.E2E_PORT ?? 8787) + 10);
const lanOrigin = `http://murmur-lan.test:${port}`;
let server: Awaited<ReturnType<typeof startServer>> | undefined;

test.beforeAll(async () => {
	test.setTimeout(150_000);
	server = await startServer(port, lanWranglerArgs(lanOrigin));
});
test.afterAll(() => server?.stop());

test('a phone on the LAN scans the dashboard QR code, joins and runs a chunk', async ({ browser }) => {
	test.setTimeout(90_000);
	// The owner, on the laptop itself.
	const owner = await (await browser.newContext({ baseURL: `http://127.0.0.1:${port}` })).newPage();
	await signUp(owner, undefined, 'LAN Owner');
	const name = await createSwarm(owner);
	await owner.getByRole('button', { name: 'Create join link' }).click();
	const link = await decodeQr(owner.getByTestId('join-qr'));
	expect(link).toMatch(new RegExp(`^${lanOrigin}/swarm/[a-f0-9]{32}/join#t=[A-Za-z0-9_-]{43}$`));
	await expect(owner.getByTestId('join-link')).toHaveValue(link);
	// The QR code points where a phone can go, so no "a phone can't reach this" warning.
	await expect(owner.getByTestId('invite-qr-panel')).toBeVisible();
	await expect(owner.getByTestId('origin-warning')).toHaveCount(0);

	const phoneBrowser = await chromium.launch({
		...chromiumLaunchOptions,
		args: [...(chromiumLaunchOptions.args ?? []), '--host-resolver-rules=MAP murmur-lan.test 127.0.0.2']
	});
	try {
		const phone = await (await phoneBrowser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
		await joinAsDevice(phone, link, 'LAN phone');
		await expect(phone.getByRole('heading', { level: 1 })).toHaveText(name);
		expect(await phone.evaluate(() => [location.origin, window.isSecureContext])).toEqual([lanOrigin, false]);
		await expect(
			owner.getByTestId('device-row').filter({ hasText: 'LAN phone' }).getByTestId('device-status')
		).toHaveText('online');
		await runPrimesJob(owner);
		await expect(phone.getByTestId('runner-done')).toHaveText('10');
	} finally {
		await phoneBrowser.close();
	}
});

test('on the LAN address (not a secure context) chat and the workspace board work too', async () => {
	test.setTimeout(90_000);
	// Browsers offer crypto.randomUUID only in secure contexts: the apps' client-made ids must not need it.
	const phoneBrowser = await chromium.launch({
		...chromiumLaunchOptions,
		args: [...(chromiumLaunchOptions.args ?? []), '--host-resolver-rules=MAP murmur-lan.test 127.0.0.2']
	});
	try {
		const context = await phoneBrowser.newContext({ baseURL: lanOrigin, viewport: { width: 390, height: 844 } });
		const phone = await context.newPage();
		const errors: string[] = [];
		phone.on('pageerror', (error) => errors.push(error.message));
		await signUp(phone, undefined, 'LAN Person');
		expect(await phone.evaluate(() => window.isSecureContext)).toBe(false);

		const room = uniqueName('lan-room');
		await phone.goto('/chat');
		await phone.getByLabel('Room name').fill(room);
		await phone.getByRole('button', { name: 'Create room' }).click();
		await connected(phone);
		await phone.getByLabel('Message', { exact: true }).fill('sent from the LAN');
		await phone.getByLabel('Message', { exact: true }).press('Enter');
		// Stored by the room: it is there after a reload.
		await expect(phone.getByTestId('message-text')).toHaveText(['sent from the LAN']);
		await phone.reload();
		await connected(phone);
		await expect(phone.getByTestId('message-text')).toHaveText(['sent from the LAN']);

		await phone.goto('/workspace');
		await phone.getByLabel('Workspace name').fill('LAN board');
		await phone.getByRole('button', { name: 'Create workspace' }).click();
		await expect(phone.getByTestId('sync-status')).toHaveText('synced');
		await addTask(phone, 'To do', 'Made on a phone');
		await expect(phone.getByText('Made on a phone')).toBeVisible();
		await expect(phone.getByTestId('sync-status')).toHaveText('synced');
		await phone.reload();
		await expect(phone.getByTestId('sync-status')).toHaveText('synced');
		await expect(phone.getByTestId('column-todo')).toContainText('Made on a phone');
		expect(errors).toEqual([]);
	} finally {
		await phoneBrowser.close();
	}
});
