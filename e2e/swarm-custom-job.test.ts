import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { signUp } from './support/auth';
import { createSwarm, joinAsDevice } from './support/swarm';

/** A job whose answer is easy to check: the sum of n² for n < 40, each square one chunk. */
const SOURCE = `export function split(input: { n: number }): number[] {
	return Array.from({ length: input.n }, (_, i) => i);
}
export function run(chunk: number): number {
	return chunk * chunk;
}
export function merge(results: number[], input: { n: number }): { n: number; sum: number } {
	return { n: input.n, sum: results.reduce((a, b) => a + b, 0) };
}
`;

test('an owner submits a TypeScript job, two devices compute every chunk, and the verified output downloads', async ({
	browser
}) => {
	test.setTimeout(120_000);
	const owner = await (await browser.newContext()).newPage();
	await signUp(owner, undefined, 'Job Owner');
	await createSwarm(owner);
	await owner.getByRole('button', { name: 'Create join link' }).click();
	const link = await owner.getByTestId('join-link').inputValue();
	const devices = [await (await browser.newContext()).newPage(), await (await browser.newContext()).newPage()];
	await joinAsDevice(devices[0], link, 'Laptop');
	await joinAsDevice(devices[1], link, 'Phone');

	// The module is written in the job editor; a compile error is shown with its place before anything is submitted.
	await owner.getByLabel('Job kind').selectOption('custom');
	const code = owner.getByTestId('job-editor').getByRole('textbox', { name: 'Job module (TypeScript)' });
	const write = async (text: string) => {
		await code.click();
		await owner.keyboard.press('ControlOrMeta+A');
		await owner.keyboard.insertText(text);
	};
	await write(SOURCE.replace('chunk * chunk', 'chunk *'));
	await owner.getByLabel('Job input (JSON)').fill('{ "n": 40 }');
	await owner.getByLabel('Title').fill('Squares');
	const submit = owner.getByTestId('custom-job-form').getByRole('button', { name: 'Submit job' });
	await submit.click();
	await expect(owner.getByTestId('custom-job-error')).toContainText('line 5, column');
	await expect(owner.getByTestId('job')).toHaveCount(0);

	// k = 2 (the default): each of the 40 chunks is computed by both devices and accepted when they agree.
	await write(SOURCE);
	await submit.click();
	const job = owner.getByTestId('job').filter({ hasText: 'Squares' });
	await expect(job).toContainText('k = 2', { timeout: 30_000 });
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
	await expect(job.getByTestId('job-progress')).toContainText('40/40 chunks');
	await expect(job.getByTestId('job-disagreements')).toHaveText('0 disagreements');
	for (const name of ['Laptop', 'Phone']) {
		const row = owner.getByTestId('device-row').filter({ hasText: name });
		await expect(row.getByTestId('device-done')).toHaveText('40');
		await expect(row.getByTestId('device-agreement')).toHaveText('100%');
	}
	for (const device of devices) await expect(device.getByTestId('runner-done')).toHaveText('40');

	// The download is merge(results, input) of the verified results, run in the owner's sandbox.
	const [download] = await Promise.all([owner.waitForEvent('download'), job.getByTestId('job-download').click()]);
	expect(download.suggestedFilename()).toMatch(/^Squares-[0-9a-f]{16}\.json$/);
	const merged = JSON.parse(await readFile((await download.path())!, 'utf8'));
	expect(merged).toEqual({ n: 40, sum: Array.from({ length: 40 }, (_, i) => i * i).reduce((a, b) => a + b, 0) });

	// Pausing lending on a device: it takes no chunks; the owner sees it paused.
	await devices[1].getByTestId('lending-toggle').click();
	await expect(devices[1].getByTestId('runner-status')).toHaveText('paused');
	await expect(owner.getByTestId('device-row').filter({ hasText: 'Phone' })).toContainText('paused');
});
