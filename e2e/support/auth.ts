import { expect, type Page } from '@playwright/test';

/** Navigates and waits for hydration, so typed input is not reset by Svelte taking over the page. */
export async function gotoHydrated(page: Page, path: string) {
	await page.goto(path);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

export const PASSWORD = 'correct horse battery';

/** A username unique to this run, so tests never collide on sign-up. */
export function uniqueName(prefix = 'u') {
	return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export async function signUp(page: Page, username = uniqueName(), displayName = `User ${username}`) {
	await gotoHydrated(page, '/signup');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Display name').fill(displayName);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByTestId('nav-user')).toHaveText(displayName);
	return { username, displayName };
}

export async function signIn(page: Page, username: string, password = PASSWORD) {
	await gotoHydrated(page, '/signin');
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
}
