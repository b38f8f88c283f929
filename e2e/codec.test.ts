import { expect, test } from '@playwright/test';

test('the packet codec loads from the Vite build and round-trips in Chromium', async ({ page }) => {
	const problems: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') problems.push(message.text()); // CSP violations land here
	});
	const wasm = page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('.wasm'));
	await page.goto('/codec');
	// Served as application/wasm, so the loader takes the streaming-compilation path.
	expect((await wasm).headers()['content-type']).toBe('application/wasm');
	await expect(page.getByTestId('codec-status')).toHaveText('ok');
	await expect(page.getByTestId('codec-detail')).toContainText('-byte frame');
	// Chromium has WebAssembly SIMD, so the loader picked (and downloaded only) the SIMD build.
	await expect(page.getByTestId('codec-detail')).toContainText('(simd build)');
	expect(new URL((await wasm).url()).pathname).not.toContain('scalar');
	expect(problems).toEqual([]);
});
