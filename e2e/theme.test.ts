import { expect, test, type Page } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';
import { lowContrastText } from './support/contrast';
import { createSwarm } from './support/swarm';

/**
 * Dark mode: it follows the OS, the Theme select overrides it and is remembered, the choice is applied
 * before first paint (no light flash) under our CSP, and body text keeps WCAG AA contrast in both schemes.
 */

/** Records, at the moment <body> is parsed (before anything can paint), whether <html> had `dark`. */
async function recordThemeAtFirstPaint(page: Page) {
	await page.addInitScript(() => {
		new MutationObserver((_, observer) => {
			if (!document.body) return;
			document.documentElement.dataset.darkAtBody = String(document.documentElement.classList.contains('dark'));
			observer.disconnect();
		}).observe(document, { childList: true, subtree: true });
	});
}
const darkAtBody = (page: Page) => page.locator('html').getAttribute('data-dark-at-body');

test('the theme follows the OS, can be chosen, is remembered and never flashes', async ({ browser }) => {
	const context = await browser.newContext({ colorScheme: 'dark' });
	const page = await context.newPage();
	const refused: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refused.push(m.text());
	});
	await recordThemeAtFirstPaint(page);
	const html = page.locator('html');
	const theme = page.getByTestId('theme-select');

	await page.goto('/');
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	expect(await darkAtBody(page)).toBe('true');
	await expect(html).toHaveClass(/\bdark\b/);
	await expect(theme).toHaveValue('system');

	// A light choice wins over the dark OS, and survives a reload without a dark frame first.
	await theme.selectOption('light');
	await expect(html).not.toHaveClass(/\bdark\b/);
	await page.reload();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	expect(await darkAtBody(page)).toBe('false');
	await expect(theme).toHaveValue('light');
	await page.emulateMedia({ colorScheme: 'dark' }); // an OS change does not override a choice
	await expect(html).not.toHaveClass(/\bdark\b/);

	// Back to "System theme": follows the OS again, live.
	await theme.selectOption('system');
	await expect(html).toHaveClass(/\bdark\b/);
	await page.emulateMedia({ colorScheme: 'light' });
	await expect(html).not.toHaveClass(/\bdark\b/);
	await page.emulateMedia({ colorScheme: 'dark' });
	await expect(html).toHaveClass(/\bdark\b/);

	await theme.selectOption('dark');
	await page.reload();
	expect(await darkAtBody(page)).toBe('true');
	expect(refused).toEqual([]);
	await context.close();
});

test('body text keeps WCAG AA contrast (4.5:1) in light and dark', async ({ browser, baseURL }) => {
	const setup = await (await browser.newContext()).newPage();
	await signUp(setup, baseURL!, 'Contrast Person');
	await setup.goto('/chat');
	await setup.getByLabel('Room name').fill(uniqueName('room'));
	await setup.getByRole('button', { name: 'Create room' }).click();
	await connected(setup);
	const room = new URL(setup.url()).pathname;
	await setup.getByLabel('Message', { exact: true }).fill('Readable in the dark?');
	await setup.getByLabel('Message', { exact: true }).press('Enter');
	await expect(setup.getByTestId('message-text')).toHaveText(['Readable in the dark?']);
	// A swarm dashboard with a live invite, and a workspace board with a task: the pages with most UI.
	await createSwarm(setup);
	const dashboard = new URL(setup.url()).pathname;
	await setup.getByRole('button', { name: 'Create join link' }).click();
	await expect(setup.getByTestId('join-link')).toBeVisible();
	await setup.goto('/workspace');
	await setup.getByLabel('Workspace name').fill('Contrast board');
	await setup.getByRole('button', { name: 'Create workspace' }).click();
	await expect(setup.getByTestId('sync-status')).toHaveText('synced');
	const board = new URL(setup.url()).pathname;
	await setup.getByLabel('New task in To do').fill('Readable task');
	await setup.getByRole('button', { name: 'Add task to To do' }).click();
	await expect(setup.getByTestId('column-todo')).toContainText('Readable task');
	await expect(setup.getByTestId('sync-status')).toHaveText('synced');
	const storageState = await setup.context().storageState();
	await setup.context().close();

	for (const colorScheme of ['light', 'dark'] as const) {
		const context = await browser.newContext({ colorScheme, storageState });
		const page = await context.newPage();
		const visits: [string, () => Promise<void>][] = [
			['/', () => expect(page.getByRole('link', { name: /Create a room/ })).toBeVisible()],
			['/chat', () => expect(page.getByRole('button', { name: 'Create room' })).toBeVisible()],
			[room, () => expect(page.getByTestId('message-text')).toHaveText(['Readable in the dark?'])],
			['/swarm', () => expect(page.getByRole('button', { name: 'Create swarm' })).toBeVisible()],
			[dashboard, () => expect(page.getByTestId('invite-row').first()).toBeVisible()],
			[board, () => expect(page.getByTestId('column-todo')).toContainText('Readable task')],
			['/no-such-page', () => expect(page.getByRole('heading', { level: 1 })).toBeVisible()]
		];
		for (const [path, ready] of visits) {
			await page.goto(path);
			await ready();
			await expect(page.locator('html')).toHaveClass(colorScheme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);
			expect.soft(await lowContrastText(page), `${path} in ${colorScheme}`).toEqual([]);
		}
		await context.close();
	}
});
