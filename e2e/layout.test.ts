import { expect, test, type BrowserContextOptions, type Locator, type Page } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

/**
 * Every main page at a phone size and a desktop size: nothing scrolls sideways, and the page's primary
 * action is on screen without scrolling. One account (signed up once, with one room, swarm and workspace)
 * is reused for both sizes; signed-out pages use a fresh context. A failing page attaches a full-page
 * screenshot named after it and the size.
 */
const sizes = {
	phone: { width: 390, height: 844 },
	desktop: { width: 1280, height: 800 }
};

/**
 * `primary`: the page's primary action(s), what a person came to the page to do. `ready`: content to wait
 * for before measuring the width, when it arrives after the primary action. `as`: whose browser opens it.
 */
type MainPage = {
	path: string;
	primary: (page: Page) => Locator[];
	ready?: (page: Page) => Locator;
	as?: 'signed out' | 'device';
};

let signedIn: BrowserContextOptions['storageState'];
/** The swarm device's cookie (no account): the device page is the one a phone opens most. */
let deviceState: BrowserContextOptions['storageState'];
let pages: MainPage[] = [];

test.beforeAll(async ({ browser, baseURL }) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	await signUp(page, baseURL!, 'Layout Person');

	await page.goto('/chat');
	await page.getByLabel('Room name').fill(uniqueName('room'));
	await page.getByRole('button', { name: 'Create room' }).click();
	await connected(page);
	const room = new URL(page.url()).pathname;

	await page.goto('/swarm');
	await page.getByLabel('Swarm name').fill(uniqueName('swarm'));
	await page.getByRole('button', { name: 'Create swarm' }).click();
	await expect(page.getByTestId('dashboard-status')).toHaveText('connected');
	const swarm = new URL(page.url()).pathname;
	// A device in the table: its row is what made the dashboard too wide for a phone (issue 13).
	await page.getByRole('button', { name: 'Create join link' }).click();
	const device = await (await browser.newContext()).newPage();
	await device.goto(await page.getByTestId('join-link').inputValue());
	await device.getByLabel('Device name').fill('Layout phone');
	await device.getByRole('button', { name: 'Join and lend my CPU' }).click();
	await expect(device).toHaveURL(/\/device$/);
	deviceState = await device.context().storageState();
	await device.context().close();

	await page.goto('/workspace');
	await page.getByLabel('Workspace name').fill(uniqueName('ws'));
	await page.getByRole('button', { name: 'Create workspace' }).click();
	await expect(page.getByRole('button', { name: 'Add task to To do' })).toBeVisible();
	const workspace = new URL(page.url()).pathname;

	signedIn = await context.storageState();
	await context.close();

	const button = (name: string) => (p: Page) => [p.getByRole('button', { name, exact: true })];
	pages = [
		{ path: '/', as: 'signed out', primary: (p) => [p.getByRole('link', { name: 'Create a free account' })] },
		{ path: '/signin', as: 'signed out', primary: button('Sign in') },
		{ path: '/signup', as: 'signed out', primary: button('Sign up') },
		{ path: '/', primary: (p) => [p.getByRole('link', { name: /Create a room/ })] },
		{ path: '/chat', primary: button('Create room') },
		{ path: room, primary: (p) => [p.getByLabel('Message', { exact: true }), ...button('Send')(p)] },
		{ path: '/chat/search?q=hello', primary: button('Search') },
		{ path: '/swarm', primary: button('Create swarm') },
		{
			path: swarm,
			primary: button('Create join link'),
			ready: (p) => p.getByTestId('device-row').filter({ hasText: 'Layout phone' })
		},
		{ path: `${swarm}/device`, as: 'device', primary: (p) => [p.getByRole('button', { name: /^Leave/ })] },
		{ path: '/workspace', primary: button('Create workspace') },
		{ path: workspace, primary: button('Add task to To do') },
		{ path: `${workspace}/docs`, primary: button('New document') },
		{ path: `${workspace}/assistant`, primary: button('Ask') },
		{ path: `${workspace}/members`, primary: button('Add member') },
		{ path: '/profile', primary: button('Save') }
	];
});

for (const [size, viewport] of Object.entries(sizes)) {
	test(`every main page fits a ${size} (${viewport.width}x${viewport.height})`, async ({ browser }, testInfo) => {
		const contexts = {
			'signed in': await browser.newContext({ viewport, storageState: signedIn }),
			'signed out': await browser.newContext({ viewport }),
			device: await browser.newContext({ viewport, storageState: deviceState })
		};
		const tabs = new Map<keyof typeof contexts, Page>();
		for (const [who, context] of Object.entries(contexts))
			tabs.set(who as keyof typeof contexts, await context.newPage());
		for (const main of pages) {
			const who = main.as ?? 'signed in';
			const page = tabs.get(who)!;
			const errorsBefore = testInfo.errors.length;
			await checkPage(page, main, `${main.path} (${who}) at ${size}`);
			if (testInfo.errors.length > errorsBefore) {
				// Written into the test's output folder (kept by CI as an artifact), and listed in the report.
				const name = `${size}-${main.path.replace(/\W+/g, '-').slice(1) || 'home'}-${who.replace(' ', '-')}.png`;
				const path = testInfo.outputPath(name);
				await page.screenshot({ path, fullPage: true });
				await testInfo.attach(name, { path, contentType: 'image/png' });
			}
		}
		for (const context of Object.values(contexts)) await context.close();
	});
}

/** Soft assertions, so one run reports every page that does not fit, not only the first. */
async function checkPage(page: Page, main: MainPage, where: string) {
	await page.goto(main.path);
	if (main.ready) await expect.soft(main.ready(page), `${where}: content is there`).toBeVisible();
	for (const primary of main.primary(page)) {
		// The primary action renders once the page is ready (socket connected, board synced): wait for it.
		await expect.soft(primary, `${where}: primary action is there`).toBeVisible();
		await expect.soft(primary, `${where}: primary action is on screen without scrolling`).toBeInViewport({ ratio: 1 });
	}
	const overflow = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
	expect.soft(overflow, `${where}: scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
}

test('on a phone the navigation is a menu, and the chat room folds who is online behind a button', async ({
	browser
}) => {
	const context = await browser.newContext({ viewport: sizes.phone, storageState: signedIn });
	const page = await context.newPage();
	await page.goto(pages.find((p) => p.path.startsWith('/chat/'))!.path);
	await connected(page);
	const menu = page.getByRole('button', { name: 'Menu' });
	const chatLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat', exact: true });
	await expect(menu).toHaveAttribute('aria-expanded', 'false');
	await expect(chatLink).toBeHidden();

	// Keyboard: Enter opens it, Escape closes it and gives focus back to the button.
	await menu.focus();
	await page.keyboard.press('Enter');
	await expect(menu).toHaveAttribute('aria-expanded', 'true');
	await expect(chatLink).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(menu).toHaveAttribute('aria-expanded', 'false');
	await expect(chatLink).toBeHidden();
	await expect(menu).toBeFocused();

	// Who's here: folded behind "1 online" until asked for.
	const online = page.getByRole('button', { name: '1 online' });
	await expect(online).toHaveAttribute('aria-expanded', 'false');
	await expect(page.getByTestId('online-list')).toBeHidden();
	await online.click();
	await expect(online).toHaveAttribute('aria-expanded', 'true');
	await expect(page.getByTestId('online-list')).toContainText('Layout Person');
	await expect(page.getByRole('button', { name: 'Send' })).toBeInViewport({ ratio: 1 });

	// Following a link from the open menu lands on the new page with the menu closed.
	await menu.click();
	await chatLink.click();
	await expect(page).toHaveURL('/chat');
	await expect(menu).toHaveAttribute('aria-expanded', 'false');
	await expect(chatLink).toBeHidden();
	await context.close();
});
