import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { baseConfig } from '../support/playwright-base';

/**
 * The no-account demo: the same built worker under `wrangler dev`, started with REQUIRE_AUTH=false (which
 * the main e2e server must not have, since its tests check that auth is required). Its own port,
 * E2E_DEMO_PORT, so it can run beside the main suite's server.
 */
const port = Number(process.env.E2E_DEMO_PORT ?? 8797);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
	testDir: '.',
	testMatch: '*.test.ts',
	...baseConfig(baseURL),
	webServer: {
		command: `node e2e/support/serve.mjs ${port} --var REQUIRE_AUTH:false`,
		cwd: fileURLToPath(new URL('../..', import.meta.url)),
		url: `${baseURL}/api/health`,
		reuseExistingServer: !process.env.CI,
		timeout: 120_000,
		stdout: 'ignore',
		stderr: 'pipe'
	}
});
