import { expect, test } from '@playwright/test';
import { gotoHydrated, PASSWORD, signIn, signUp, uniqueName } from './support/auth';

test('sign up, sign out, sign in', async ({ page }) => {
	const { username, displayName } = await signUp(page);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
	await expect(page.getByTestId('nav-user')).toHaveCount(0);

	await signIn(page, username);
	await expect(page.getByTestId('nav-user')).toHaveText(displayName);
});

test('a wrong password shows one generic error', async ({ page }) => {
	const { username } = await signUp(page);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await signIn(page, username, 'not the password');
	await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
	await signIn(page, 'nobody-has-this-name', PASSWORD);
	await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
});

test('repeated failures are rate-limited with a clear message', async ({ page }) => {
	const { username } = await signUp(page, uniqueName('rl'));
	await page.getByRole('button', { name: 'Sign out' }).click();
	for (let i = 0; i < 5; i++) {
		await signIn(page, username, `wrong-${i}-password`);
		await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
	}
	await signIn(page, username, PASSWORD); // even the right password waits out the window
	await expect(page.getByRole('alert')).toContainText('Too many failed attempts. Try again in');
	await expect(page.getByTestId('nav-user')).toHaveCount(0);
});

test('the profile shows an uploaded avatar, and rejects a non-image', async ({ page }) => {
	await signUp(page);
	await gotoHydrated(page, '/profile');
	const avatar = page.getByTestId('profile-avatar');
	await expect(avatar.locator('span[role=img]')).toBeVisible(); // initials before any upload

	await page.getByLabel(/PNG, JPEG, WebP or GIF/).setInputFiles({
		name: 'notes.png',
		mimeType: 'image/png',
		buffer: Buffer.from('this is text pretending to be a png')
	});
	await page.getByRole('button', { name: 'Upload' }).click();
	await expect(page.getByRole('alert')).toHaveText('That file is not a PNG, JPEG, WebP or GIF image.');

	await page
		.getByLabel(/PNG, JPEG, WebP or GIF/)
		.setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: ONE_PIXEL_PNG });
	await page.getByRole('button', { name: 'Upload' }).click();
	await expect(page.getByRole('status')).toHaveText('Avatar updated.');
	const img = avatar.locator('img');
	await expect(img).toBeVisible();
	await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
});

const ONE_PIXEL_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9mWAAAAABJRU5ErkJggg==',
	'base64'
);
