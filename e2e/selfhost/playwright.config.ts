import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/chromium';

/**
 * The self-hosted smoke: real Chromium against Murmur on bare workerd (dist/selfhost, no wrangler, no
 * Node in the server). Run through `node e2e/selfhost/run.mjs`, which picks a free port and a fresh data
 * directory; the test itself starts and restarts workerd (support/server.ts).
 */
const port = Number(process.env.SELFHOST_PORT ?? 8793);

export default defineConfig({
	testDir: '.',
	testMatch: '*.test.ts',
	fullyParallel: false,
	// A stray `test.only` would silently skip the rest of the suite: refuse it under CI.
	forbidOnly: !!process.env.CI,
	workers: 1,
	retries: 0,
	timeout: 120_000,
	reporter: [['list']],
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		trace: 'retain-on-failure',
		launchOptions: chromiumLaunchOptions
	},
	projects: [{ name: 'chromium', use: { browserName: 'chromium' } }]
});
