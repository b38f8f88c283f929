import { expect, test, type Page } from '@playwright/test';
import { uniqueName } from './support/auth';
import { connected, signUp } from './support/chat';

/**
 * A page that is not there, or not yours, answers with the right HTTP status and a page in the app's
 * layout that says so in words and offers a way back. Not being a member answers 404, as for a page that
 * does not exist (GitHub's convention: it does not tell a stranger that a private room exists).
 */

async function expectErrorPage(page: Page, path: string, status: number, back?: { name: string; href: string }) {
	const response = await page.goto(path);
	expect(response?.status(), `${path} answers ${status}`).toBe(status);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText("This page doesn't exist");
	await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible(); // inside the app layout
	if (back) await expect(page.getByRole('link', { name: back.name })).toHaveAttribute('href', back.href);
	await expect(page.getByRole('main').getByRole('link', { name: 'Home', exact: true })).toHaveAttribute('href', '/');
}

test('pages that are not there or not yours answer 404 with a way back', async ({ browser, baseURL }) => {
	const owner = await (await browser.newContext()).newPage();
	const stranger = await (await browser.newContext()).newPage();
	await signUp(owner, baseURL!, 'Owner Errors');
	await signUp(stranger, baseURL!, 'Stranger Errors');

	await owner.goto('/chat');
	await owner.getByLabel('Room name').fill(uniqueName('secret'));
	await owner.getByRole('radio', { name: /Private/ }).check();
	await owner.getByRole('button', { name: 'Create room' }).click();
	await connected(owner);
	const room = new URL(owner.url()).pathname;

	await owner.goto('/swarm');
	await owner.getByLabel('Swarm name').fill(uniqueName('swarm'));
	await owner.getByRole('button', { name: 'Create swarm' }).click();
	await expect(owner.getByTestId('dashboard-status')).toHaveText('connected');
	const swarm = new URL(owner.url()).pathname;

	await owner.goto('/workspace');
	await owner.getByLabel('Workspace name').fill(uniqueName('ws'));
	await owner.getByRole('button', { name: 'Create workspace' }).click();
	await expect(owner.getByRole('button', { name: 'Add task to To do' })).toBeVisible();
	const workspace = new URL(owner.url()).pathname;

	await expectErrorPage(stranger, room, 404, { name: 'Your chat rooms', href: '/chat' });
	await expect(stranger.getByTestId('error-detail')).toHaveText(/No such room/);
	await expectErrorPage(stranger, swarm, 404, { name: 'Your swarms', href: '/swarm' });
	await expectErrorPage(stranger, workspace, 404, { name: 'Your workspaces', href: '/workspace' });
	await expectErrorPage(stranger, `${workspace}/docs`, 404, { name: 'Your workspaces', href: '/workspace' });
	await expectErrorPage(stranger, '/no-such-page', 404);

	// The way back works, and the owner still reaches all three.
	await stranger.goto(room);
	await stranger.getByRole('link', { name: 'Your chat rooms' }).click();
	await expect(stranger).toHaveURL('/chat');
	await expect(stranger.getByRole('button', { name: 'Create room' })).toBeVisible();
	for (const path of [room, swarm, workspace]) expect((await owner.goto(path))?.status(), path).toBe(200);
});
