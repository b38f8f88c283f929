import { defineConfig } from '@playwright/test';
import { baseConfig } from '../support/playwright-base';

/**
 * The self-hosted smoke: real Chromium against Murmur on bare workerd (dist/selfhost, no wrangler, no
 * Node in the server). Run through `node e2e/selfhost/run.mjs`, which picks a free port and a fresh data
 * directory; the test itself starts and restarts workerd (support/server.ts).
 */
const port = Number(process.env.SELFHOST_PORT ?? 8793);

export default defineConfig({
	testDir: '.',
	testMatch: '*.test.ts',
	...baseConfig(`http://127.0.0.1:${port}`, 120_000)
});
