import { defineConfig } from '@playwright/test';
import { baseConfig } from '../support/playwright-base';

/**
 * The Pages-shape smoke: real Chromium against `wrangler pages dev` (the Pages build) beside
 * `wrangler dev` (the murmur-realtime worker), started fresh by deploy/pages/serve.mjs like
 * `npm run start:pages`. PAGES_SOCKETS=realtime runs it with sockets on the realtime worker's own origin
 * (way b); the default keeps them on the Pages origin (way a). E2E_PAGES_PORT picks the app's port; the
 * realtime worker takes the next one. `npm run build:pages` must have run.
 */
export const sockets = process.env.PAGES_SOCKETS === 'realtime' ? 'realtime' : 'same-origin';
const port = Number(process.env.E2E_PAGES_PORT ?? (sockets === 'realtime' ? 8800 : 8798));
export const appOrigin = `http://127.0.0.1:${port}`;
export const realtimeOrigin = `http://127.0.0.1:${port + 1}`;

export default defineConfig({
	testDir: '.',
	testMatch: '*.test.ts',
	...baseConfig(appOrigin, 120_000),
	webServer: {
		command: `node deploy/pages/serve.mjs --port ${port} --sockets ${sockets} --fresh --persist-to .wrangler/e2e-pages-${port}`,
		cwd: '../..',
		url: `${appOrigin}/api/health`,
		// A server of the other socket way on this port would pass the health check but not the test.
		reuseExistingServer: false,
		timeout: 180_000,
		stdout: 'ignore',
		stderr: 'pipe'
	}
});
