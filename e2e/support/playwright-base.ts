import type { PlaywrightTestConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium';

/**
 * What every Playwright config here shares (main suite, no-account demo, self-hosted smoke): one worker
 * in real Chromium launched as chromium.ts says, tests in order (they share one server's state), no
 * retries (a flaky test is a bug to fix, not to hide), and `test.only` refused under CI, where a stray one
 * would silently skip the rest of the suite. A failing test keeps a full-page screenshot of every page it
 * had open and a trace in test-results/ (the layout test adds its own at phone and desktop size).
 */
export function baseConfig(baseURL: string, timeout = 60_000): PlaywrightTestConfig {
	return {
		fullyParallel: false,
		forbidOnly: !!process.env.CI,
		workers: 1,
		retries: 0,
		timeout,
		reporter: [['list']],
		use: {
			baseURL,
			trace: 'retain-on-failure',
			screenshot: { mode: 'only-on-failure', fullPage: true },
			launchOptions: chromiumLaunchOptions
		},
		projects: [{ name: 'chromium', use: { browserName: 'chromium' } }]
	};
}
