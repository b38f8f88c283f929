import { spawn } from 'node:child_process';
import { expect, type Locator, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { gotoHydrated, uniqueName } from './auth';

/** Creates a swarm from /swarm as the signed-in page, and waits for its live dashboard. */
export async function createSwarm(owner: Page, name = uniqueName('swarm')) {
	await gotoHydrated(owner, '/swarm');
	await owner.getByLabel('Swarm name').fill(name);
	await owner.getByRole('button', { name: 'Create swarm' }).click();
	await expect(owner.getByRole('heading', { level: 1 })).toHaveText(name);
	await expect(owner.getByTestId('dashboard-status')).toHaveText('connected');
	return name;
}

/** Decodes a QR code image as a camera would: its pixels, through jsQR. */
export async function decodeQr(qr: Locator): Promise<string> {
	await expect(qr).toBeVisible();
	const pixels = await qr.evaluate(async (img: HTMLImageElement) => {
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = img.naturalWidth;
		canvas.height = img.naturalHeight;
		const ctx = canvas.getContext('2d')!;
		ctx.drawImage(img, 0, 0);
		const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
		return { width: data.width, height: data.height, data: Array.from(data.data) };
	});
	const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
	expect(decoded, 'the QR code decodes').not.toBeNull();
	return decoded!.data;
}

/** Opens a join link on `device`, joins as `name` and waits until it has benchmarked and is connected. */
export async function joinAsDevice(device: Page, link: string, name: string) {
	await device.goto(link);
	await device.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await device.getByLabel('Device name').fill(name);
	await device.getByRole('button', { name: 'Join and lend my CPU' }).click();
	await expect(device).toHaveURL(/\/device$/);
	await expect(device.getByTestId('runner-score')).toHaveText(/^\d+$/, { timeout: 30_000 });
	await expect(device.getByTestId('device-connection')).toHaveText('connected');
}

/** Submits π(10⁶) in 10 chunks and waits for the answer: 78,498. */
export async function runPrimesJob(owner: Page) {
	await owner.getByLabel('Job kind').selectOption('primes');
	await owner.getByLabel('Below').fill('1000000');
	await owner.getByLabel('Chunk size').fill('100000');
	await owner.getByRole('button', { name: 'Submit job' }).click();
	await expect(owner.getByTestId('job-answer').first()).toHaveText('78,498', { timeout: 30_000 });
}

/**
 * A second server for one test file (e2e/support/serve.mjs with extra `wrangler dev` arguments), on its own
 * port and fresh state. `stop()` ends its whole process group.
 */
export async function startServer(port: number, wranglerArgs: string[]) {
	const child = spawn('node', ['e2e/support/serve.mjs', String(port), ...wranglerArgs], {
		detached: true,
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
	const exited = new Promise<never>((_, reject) =>
		child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)))
	);
	const ready = (async () => {
		const deadline = Date.now() + 120_000;
		while (Date.now() < deadline) {
			const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
				(r) => r.ok,
				() => false
			);
			if (ok) return;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`server on ${port} not ready after 120 s: ${stderr}`);
	})();
	await Promise.race([ready, exited]);
	return {
		stop() {
			if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
		}
	};
}
