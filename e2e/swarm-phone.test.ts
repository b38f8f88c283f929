import { expect, test, type Page } from '@playwright/test';
import { signUp, uniqueName } from './support/auth';
import { createSwarm, decodeQr, joinAsDevice } from './support/swarm';

/**
 * Issue 13, items 3 and 4 for the swarm: at 390×844 (and 1280×800) the dashboard, the device page and the
 * join page never scroll sideways, even with a device in the table; the join page says what is wrong with
 * an invite code in words and forgets it when the code changes; swarm names show their limit near it and
 * the server refuses a longer one in words instead of cutting it.
 */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function expectNoSidewaysScroll(page: Page) {
	for (const size of [PHONE, DESKTOP]) {
		await page.setViewportSize(size);
		const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
		expect(widths[0], `page width at ${size.width}×${size.height} (${page.url()})`).toBeLessThanOrEqual(widths[1]);
	}
	await page.setViewportSize(PHONE);
}

test('swarm pages fit a phone, and limits and invite problems are said in words', async ({ browser, baseURL }) => {
	test.setTimeout(90_000);
	const owner = await (await browser.newContext({ viewport: PHONE })).newPage();
	await signUp(owner, undefined, 'Phone Owner');
	await owner.goto('/swarm');

	// The name's limit shows as it nears: nothing at 50 characters, "58/64" at 58, and a paste stops at 64/64.
	const nameField = owner.getByLabel('Swarm name');
	const count = owner.getByTestId('character-limit');
	await owner.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await nameField.fill('n'.repeat(50));
	await expect(count).toHaveText('');
	await nameField.fill('n'.repeat(58));
	await expect(count).toHaveText('58/64 characters');
	await nameField.fill('n'.repeat(80));
	await expect(nameField).toHaveValue('n'.repeat(64));
	await expect(count).toHaveText('64/64 characters');
	// Past the field (a script, an old page), the server refuses in words and keeps nothing cut short.
	const refused = await owner.request.post('/swarm?/create', {
		headers: { origin: baseURL!, 'x-sveltekit-action': 'true' },
		form: { name: 'n'.repeat(65) }
	});
	expect(await refused.text()).toContain('Swarm names are at most 64 characters');

	// The longest name there is, with no space to wrap at: headings must break it, not widen the page.
	const name = await createSwarm(owner, uniqueName('swarm').padEnd(64, 'w'));
	await owner.getByRole('button', { name: 'Create join link' }).click();
	const link = await decodeQr(owner.getByTestId('join-qr'));

	// The join page: a cut-off code is explained in words, and the message goes when the code changes.
	const device = await (await browser.newContext({ viewport: PHONE })).newPage();
	const cut = link.slice(0, link.indexOf('#t=') + 15);
	await device.goto(cut);
	await expect(device.getByTestId('invite-problem')).toHaveText(
		'This invite code looks incomplete — paste the whole link.'
	);
	const joinButton = device.getByRole('button', { name: 'Join and lend my CPU' });
	await expect(joinButton).toBeDisabled();
	await expectNoSidewaysScroll(device);
	await device.getByLabel('Invite link or code').fill(link);
	await expect(device.getByTestId('invite-problem')).toHaveText('');
	await expect(joinButton).toBeEnabled();
	await joinAsDevice(device, link, `Phone${'x'.repeat(59)}`);
	await expectNoSidewaysScroll(device);

	await expect(owner.getByTestId('device-row')).toHaveCount(1);
	await expect(owner.getByRole('heading', { level: 1 })).toHaveText(name);
	await expectNoSidewaysScroll(owner);
	// The table scrolls inside its card instead: the card stays within the screen.
	const card = await owner.getByRole('region', { name: 'Devices', exact: true }).boundingBox();
	expect(card!.x + card!.width).toBeLessThanOrEqual(PHONE.width);
});
