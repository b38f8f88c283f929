import { defineConfig } from '@playwright/test';
import { llmArgs } from './e2e/support/assistant-llm';
import { baseConfig } from './e2e/support/playwright-base';

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
	// The self-hosted smoke, the no-account demo and the Pages shape have their own configs and servers (e2e/selfhost/,
	// e2e/demo/playwright.config.ts).
	testIgnore: ['selfhost/**', 'demo/**', 'pages/**'],
	...baseConfig(baseURL),
	webServer: process.env.E2E_BASE_URL
		? undefined
		: {
				// Fresh local state per run, migrated like `npm start` does; the assistant points at the local
				// OpenAI-compatible server e2e/assistant.test.ts starts (support/assistant-llm.ts).
				command: `node e2e/support/serve.mjs ${port} ${llmArgs()}`,
				url: `${baseURL}/api/health`,
				reuseExistingServer: !process.env.CI,
				timeout: 120_000,
				stdout: 'ignore',
				stderr: 'pipe'
			}
});
