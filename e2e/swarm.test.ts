import { expect, test } from '@playwright/test';
import { decodeQr } from './support/swarm';
import { signUp, uniqueName } from './support/auth';

test('owner invites a device by QR code, the device benchmarks and renders a fractal', async ({ browser }) => {
	test.setTimeout(90_000);
	const owner = await (await browser.newContext()).newPage();
	await signUp(owner, undefined, 'Swarm Owner');
	await owner.goto('/swarm');
	const name = uniqueName('swarm');
	await owner.getByLabel('Swarm name').fill(name);
	await owner.getByRole('button', { name: 'Create swarm' }).click();
	await expect(owner.getByRole('heading', { level: 1 })).toHaveText(name);
	await expect(owner.getByTestId('dashboard-status')).toHaveText('connected');

	await owner.getByRole('button', { name: 'Create join link' }).click();
	// This server is reached at 127.0.0.1 with no PUBLIC_ORIGIN: the dashboard says a phone cannot use the QR code.
	await expect(owner.getByTestId('origin-warning')).toContainText("a phone can't reach this");
	await expect(owner.getByTestId('origin-warning')).toContainText('npm run start:lan');
	const qr = owner.getByTestId('join-qr');
	await expect(qr).toBeVisible();
	const link = await owner.getByTestId('join-link').inputValue();
	expect(link).toMatch(/\/swarm\/[a-f0-9]{32}\/join#t=[A-Za-z0-9_-]{43}$/);
	const inviteUses = owner.getByTestId('invite-uses');
	await expect(inviteUses).toHaveText('0 uses');

	// Decode the QR image as a camera would: its pixels, through jsQR.
	const decoded = await decodeQr(qr);
	expect(decoded).toBe(link);

	// A second browser, with no account, joins through the decoded URL.
	const device = await (await browser.newContext()).newPage();
	await device.goto(decoded);
	await expect(device.getByRole('heading', { level: 1 })).toHaveText(`Join “${name}”`);
	await device.getByLabel('Device name').fill('E2E phone');
	await device.getByRole('button', { name: 'Join and lend my CPU' }).click();
	await expect(device).toHaveURL(/\/device$/);
	expect(device.url()).not.toContain('#t=');
	await expect(device.getByTestId('runner-score')).toHaveText(/^\d+$/, { timeout: 30_000 });
	await expect(device.getByTestId('runner-status')).toHaveText('idle');
	await expect(device.getByTestId('device-connection')).toHaveText('connected');

	// The owner sees it online with its score, and the invite's use count moves, all without a reload.
	const row = owner.getByTestId('device-row').filter({ hasText: 'E2E phone' });
	await expect(row.getByTestId('device-status')).toHaveText('online');
	await expect(row.getByTestId('device-score')).toHaveText(/^\d+$/);
	await expect(inviteUses).toHaveText('1 use');
	const throughputTotal = owner.getByTestId('throughput-total');
	const throughputPeak = owner.getByTestId('throughput-peak');
	await expect(throughputTotal).toHaveText('0');

	// A numeric job with a checkable answer: π(10⁶) = 78,498.
	await owner.getByLabel('Job kind').selectOption('primes');
	await owner.getByLabel('Below').fill('1000000');
	await owner.getByLabel('Chunk size').fill('100000');
	await owner.getByRole('button', { name: 'Submit job' }).click();
	await expect(owner.getByTestId('job-answer').first()).toHaveText('78,498', { timeout: 30_000 });
	// Its 10 chunks reach the throughput chart with the next broadcast.
	await expect(throughputTotal).toHaveText('10');
	await expect(throughputPeak).toHaveText(/^([1-9]|10)$/);

	// The fractal: 512×384 in 48 tiles, painted on the owner's dashboard.
	await owner.getByLabel('Job kind').selectOption('mandelbrot');
	await owner.getByRole('button', { name: 'Submit job' }).click();
	const canvas = owner.getByTestId('fractal-canvas');
	await expect(canvas).toHaveAttribute('data-complete', 'true', { timeout: 45_000 });
	await expect(owner.getByTestId('fractal-caption')).toContainText('48/48 tiles');
	// 10 + 48 chunks in the last two minutes (the whole test takes well under that).
	await expect(throughputTotal).toHaveText('58');
	const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
		const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
		let colored = 0;
		let black = 0;
		for (let i = 0; i < data.length; i += 4) {
			if (data[i + 3] === 0) continue;
			if (data[i] + data[i + 1] + data[i + 2] === 0) black++;
			else colored++;
		}
		return { colored, black, total: data.length / 4 };
	});
	// Every pixel painted; both the set (black) and the escape bands (colour) are present.
	expect(painted.colored + painted.black).toBe(painted.total);
	expect(painted.black).toBeGreaterThan(painted.total * 0.05);
	expect(painted.colored).toBeGreaterThan(painted.total * 0.3);
	await expect(device.getByTestId('runner-done')).toHaveText(/^[1-9]\d*$/);
	await expect(owner.getByTestId('swarm-log')).toContainText('E2E phone joined');

	// Leaving ends the device's membership; the owner sees it move from the live table to "Past devices".
	await device.getByRole('button', { name: 'Leave swarm' }).click();
	await expect(device.getByTestId('device-ended-reason')).toHaveText(/^You left this swarm/);
	await expect(device.getByRole('button', { name: 'Leave swarm' })).toHaveCount(0);
	const past = owner.getByTestId('past-device').filter({ hasText: 'E2E phone' });
	await expect(past.getByTestId('past-device-status')).toHaveText('left', { timeout: 10_000 });
	await expect(row).toHaveCount(0);

	// After a reload the facts come back from the coordinator's storage, unchanged.
	const peak = await throughputPeak.textContent();
	await owner.reload();
	await expect(owner.getByTestId('dashboard-status')).toHaveText('connected');
	await expect(inviteUses).toHaveText('1 use');
	await expect(throughputTotal).toHaveText('58');
	await expect(throughputPeak).toHaveText(peak!);
	await expect(past.getByTestId('past-device-status')).toHaveText('left');
});
