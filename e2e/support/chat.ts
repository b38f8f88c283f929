import { expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD, uniqueName } from './auth';

/**
 * Signs up by posting the real sign-up form action: the same server path as the form, without racing
 * hydration on a loaded machine (a fill before hydration can be reset). The session cookie lands in the
 * page's browser context. The form UI itself is covered by auth.test.ts. Returns the username (what an
 * @mention names).
 */
export async function signUp(page: Page, baseURL: string, displayName: string) {
	const username = uniqueName();
	const response = await page.request.post('/signup', {
		form: { username, displayName, password: PASSWORD },
		headers: { origin: new URL(baseURL).origin }
	});
	// Without `Accept: text/html` SvelteKit answers a form action as JSON: { type: 'redirect', … }.
	expect(await response.json()).toMatchObject({ type: 'redirect' });
	await page.goto('/');
	await expect(page.getByTestId('nav-user')).toHaveText(displayName);
	return { username };
}

export async function connected(page: Page) {
	await expect(page.getByTestId('chat-status')).toHaveText('connected');
}

/** Two people in their own browser contexts, both connected to a new public room the first one created. */
export async function twoInARoom(browser: Browser, baseURL: string, names: [string, string]) {
	const [owner, member] = await Promise.all(names.map(async () => (await browser.newContext()).newPage()));
	await signUp(owner!, baseURL, names[0]);
	await signUp(member!, baseURL, names[1]);
	const roomName = uniqueName('room');
	await owner!.goto('/chat');
	await owner!.getByLabel('Room name').fill(roomName);
	await owner!.getByRole('button', { name: 'Create room' }).click();
	await expect(owner!.getByRole('heading', { level: 1 })).toHaveText(roomName);
	await connected(owner!);
	await member!.goto('/chat');
	await member!.getByRole('button', { name: `Join ${roomName}` }).click();
	await connected(member!);
	return { owner: owner!, member: member! };
}
