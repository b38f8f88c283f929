import { expect, test } from '@playwright/test';
import { gotoHydrated, PASSWORD, signUp } from './support/auth';

/**
 * `?next=` after sign-in stays on this site. Chromium reads `/\host` and `/<TAB>/host` as `//host`, so
 * before safe-next.ts these sent the browser to 127.0.0.1:1 (nothing listens there: an error page).
 */
for (const next of ['/%5C127.0.0.1:1/phish', '/%09/127.0.0.1:1/phish']) {
	test(`signing in with next=${next} lands on the app's own origin`, async ({ page, baseURL }) => {
		const { username, displayName } = await signUp(page);
		await page.getByRole('button', { name: 'Sign out' }).click();
		await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

		await gotoHydrated(page, `/signin?next=${next}`);
		await page.getByLabel('Username').fill(username);
		await page.getByLabel('Password').fill(PASSWORD);
		await page.getByRole('button', { name: 'Sign in' }).click();

		// Signed in, on a page of this app: the navigation after sign-in has finished here.
		await expect(page.getByTestId('nav-user')).toHaveText(displayName);
		const landed = new URL(page.url());
		expect(landed.origin).toBe(new URL(baseURL!).origin);
		expect(landed.pathname).toBe('/');
	});
}
