import type { LaunchOptions } from '@playwright/test';

/**
 * How every Playwright config here launches Chromium. CHROMIUM_PATH selects a system Chromium (CI uses
 * Debian's /usr/bin/chromium because Playwright's own browser download is not reachable there); unset,
 * Playwright uses its own download. The flags keep a headless run in a container quiet and deterministic:
 * no sandbox (containers lack the namespaces), no GPU, no background updates or sync traffic.
 */
export const chromiumLaunchOptions: LaunchOptions = {
	executablePath: process.env.CHROMIUM_PATH || undefined,
	args: [
		'--no-sandbox',
		'--disable-gpu',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--no-first-run'
	]
};
