import type { Page } from '@playwright/test';

/** Adds a task through the board's own form, as a person would. */
export async function addTask(page: Page, column: 'To do' | 'Doing' | 'Done', title: string) {
	await page.getByLabel(`New task in ${column}`).fill(title);
	await page.getByRole('button', { name: `Add task to ${column}` }).click();
}
