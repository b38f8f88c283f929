import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, uniqueName } from './support/auth';

/**
 * Opens `path` with the app's JavaScript held back, so the inputs are the server-rendered HTML form, and
 * returns a function that lets the scripts load and waits until the page has hydrated. What is typed
 * in between is typed, for sure, before hydration (on a cold load that is a race a person can win).
 */
async function openWithoutScripts(page: Page, path: string) {
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	const pattern = '**/_app/immutable/**';
	await page.route(pattern, async (route) => {
		await held;
		await route.continue();
	});
	await page.goto(path, { waitUntil: 'commit' });
	await expect(page.getByLabel('Username')).toBeVisible();
	await expect(page.locator('html[data-hydrated]')).toHaveCount(0);
	return async () => {
		release();
		await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
		await page.unroute(pattern);
	};
}

// The service worker serves the app's scripts from its cache after the first load, where page.route cannot
// hold them back; a cold load (what this is about) has no service worker yet.
test.use({ serviceWorkers: 'block' });

test('what is typed before hydration stays, on sign-up and sign-in, and both forms work', async ({ page }) => {
	const username = uniqueName('hy');
	const displayName = `Hydra ${username}`;

	// Sign-up, typed before the scripts run, with a username the server refuses.
	let hydrate = await openWithoutScripts(page, '/signup');
	await page.getByLabel('Username').fill('not valid!');
	await page.getByLabel('Display name').fill(displayName);
	await page.getByLabel('Password').fill(PASSWORD);
	await hydrate();
	await expect(page.getByLabel('Username')).toHaveValue('not valid!');
	await expect(page.getByLabel('Display name')).toHaveValue(displayName);
	await expect(page.getByLabel('Password')).toHaveValue(PASSWORD);

	// The refusal says what a username must be, in words, and keeps the rest of the form.
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByRole('alert')).toHaveText('Username must be 3–32 letters, digits, "_" or "-" (no spaces).');
	await expect(page.getByLabel('Display name')).toHaveValue(displayName);
	await page.getByLabel('Username').fill(username);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByTestId('nav-user')).toHaveText(displayName);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

	// Sign-in, typed before the scripts run.
	hydrate = await openWithoutScripts(page, '/signin');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(PASSWORD);
	await hydrate();
	await expect(page.getByLabel('Username')).toHaveValue(username);
	await expect(page.getByLabel('Password')).toHaveValue(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByTestId('nav-user')).toHaveText(displayName);
});
