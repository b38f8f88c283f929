import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { signUp } from './support/auth';
import { createSwarm } from './support/swarm';

/** The example file as the editor loads it: its last (empty) line is where the test types. */
const piSource = readFileSync('src/lib/swarm/job-examples/monte-carlo-pi.ts', 'utf8');

test('the job editor checks a module through the transpiler: errors with line:column, then clean', async ({ page }) => {
	test.setTimeout(90_000);
	await signUp(page);
	await createSwarm(page);
	await page.getByLabel('Job kind').selectOption('custom');
	const editor = page.getByTestId('job-editor');
	const code = editor.getByRole('textbox', { name: 'Job module (TypeScript)' });
	const status = editor.getByTestId('job-check-status');
	await expect(code).toContainText('export function split(input: Input): Chunk[]');
	await expect(status).toHaveText('Not checked yet.');

	// An unchanged editor loads an example at once.
	await editor.getByLabel('Example job').selectOption({ label: 'Monte Carlo π' });
	await editor.getByRole('button', { name: 'Load' }).click();
	await expect(code).toContainText('function mulberry32(seed: number)');
	await expect(editor.getByLabel('Job input (JSON)')).toHaveValue(/"samples": 20000000/);

	// A line with a syntax error at its end: the check lists it as line:column and marks the line.
	const lastLine = piSource.split('\n').length;
	await code.click();
	await page.keyboard.press('ControlOrMeta+End');
	await page.keyboard.type('export const broken: number = 1 +;');
	await editor.getByRole('button', { name: 'Check' }).click();
	await expect(status).toHaveText('1 error');
	await expect(editor.getByTestId('job-error')).toHaveText([`${lastLine}:34 Unexpected ";"`]);
	await expect(editor.getByTestId('job-error-line')).toHaveCount(1);
	await expect(editor.getByTestId('job-error-line')).toContainText('export const broken');

	// The error's position puts the cursor just before the ";": deleting the "+" before it fixes the line.
	await editor.getByRole('button', { name: `${lastLine}:34` }).click();
	await page.keyboard.press('Backspace');
	await expect(editor.getByTestId('job-error-line')).toContainText('export const broken: number = 1 ;');
	await expect(status).toHaveText('1 error (checked before your last edit)');
	await editor.getByRole('button', { name: 'Check' }).click();
	// Fixed, the module checks clean and the mark goes.
	await expect(status).toHaveText(/^No errors — compiles to \d+\.\d KiB of JavaScript\.\s*$/);
	await expect(editor.getByTestId('job-error-line')).toHaveCount(0);

	// Loading another example over edits asks first.
	await editor.getByLabel('Example job').selectOption({ label: 'Image filter' });
	await editor.getByRole('button', { name: 'Load' }).click();
	const dialog = page.getByRole('dialog', { name: 'Replace your job module?' });
	await dialog.getByRole('button', { name: 'Replace' }).click();
	await expect(code).toContainText('Sobel edge detection');
	await expect(editor.getByLabel('Job input (JSON)')).toHaveValue(/"width": 256/);
	await expect(status).toHaveText('Not checked yet.');
});
