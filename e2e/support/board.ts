import { expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD, uniqueName } from './auth';

/** Adds a task through the board's own form, as a person would. */
export async function addTask(page: Page, column: 'To do' | 'Doing' | 'Done', title: string) {
	await page.getByLabel(`New task in ${column}`).fill(title);
	await page.getByRole('button', { name: `Add task to ${column}` }).click();
}

/**
 * Sign-up that tolerates a loaded machine: it waits for the page to hydrate before typing (hydration
 * under load can reset fields filled too early, leaving `required` inputs empty) and gives argon2id
 * more than the shared helper's 5 s.
 */
async function signUp(page: Page, username: string, displayName: string) {
	await page.goto('/signup', { waitUntil: 'networkidle' });
	await page.getByLabel('Username').fill(username);
	await page.getByLabel('Display name').fill(displayName);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByTestId('nav-user')).toHaveText(displayName, { timeout: 30_000 });
}

/** Alice creates a workspace and adds Bob as an editor; both end up on its board, in separate contexts. */
export async function sharedBoard(browser: Browser) {
	const aliceContext = await browser.newContext();
	const bobContext = await browser.newContext();
	const alice = await aliceContext.newPage();
	const bob = await bobContext.newPage();
	const bobName = uniqueName('bob');
	const aliceName = uniqueName('alice');
	await signUp(alice, aliceName, 'Alice Board');
	await signUp(bob, bobName, 'Bob Board');

	await alice.goto('/workspace');
	await alice.getByLabel('Workspace name').fill('Launch plan');
	await alice.getByRole('button', { name: 'Create workspace' }).click();
	await expect(alice.getByTestId('workspace-name')).toHaveText('Launch plan');
	const boardUrl = new URL(alice.url()).pathname;

	await alice.getByRole('link', { name: 'Members' }).click();
	await alice.getByLabel('Username').fill(bobName);
	await alice.getByRole('button', { name: 'Add member' }).click();
	await expect(alice.getByTestId('member-list')).toContainText('Bob Board');

	await alice.goto(boardUrl);
	await bob.goto(boardUrl);
	await expect(alice.getByTestId('sync-status')).toHaveText('synced');
	await expect(bob.getByTestId('sync-status')).toHaveText('synced');
	return { alice, bob, bobContext, boardUrl, aliceName, bobName };
}
