import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/support/chromium';

/**
 * End-to-end tests in real Chromium against the built worker under `wrangler dev` (the same bundle that
 * deploys), with Chromium launched as support/chromium.ts says (CHROMIUM_PATH picks a system one).
 * E2E_PORT picks the port; E2E_BASE_URL points the tests at an already running server instead.
 */
const port = Number(process.env.E2E_PORT ?? 8787);
const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${port}`;

export default defineConfig({
	testDir: 'e2e',
	testMatch: '**/*.test.ts',
	// The self-hosted smoke and the no-account demo have their own configs and servers (e2e/selfhost/,
	// e2e/demo/playwright.config.ts).
	testIgnore: ['selfhost/**', 'demo/**'],
	fullyParallel: false,
	// A stray `test.only` would silently skip the rest of the suite: refuse it under CI.
	forbidOnly: !!process.env.CI,
	workers: 1,
	retries: 0,
	timeout: 60_000,
	reporter: process.env.CI ? [['list']] : [['list']],
	use: {
		baseURL,
		trace: 'retain-on-failure',
		launchOptions: chromiumLaunchOptions
	},
	projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
	webServer: process.env.E2E_BASE_URL
		? undefined
		: {
				// Fresh local state per run, migrated like `npm start` does.
				command: `node e2e/support/serve.mjs ${port}`,
				url: `${baseURL}/api/health`,
				reuseExistingServer: !process.env.CI,
				timeout: 120_000,
				stdout: 'ignore',
				stderr: 'pipe'
			}
});
