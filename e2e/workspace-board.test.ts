import { expect, test, type Locator, type Page } from '@playwright/test';
import { addTask, sharedBoard } from './support/board';

/**
 * The board as a person uses it: tasks dragged between columns with a mouse, a finger and the keyboard
 * (each drop one synced `task.moved`, so the other browser follows), arrow buttons that say where they go
 * and are disabled at the ends, Undo after deleting a task, a confirmation before removing a member, the
 * title limit shown before it bites, and phone-width pages that never scroll sideways. One flow, one pair
 * of sign-ups.
 */

const titles = (page: Page, status: 'todo' | 'doing' | 'done') =>
	page
		.getByTestId(`column-${status}`)
		.getByRole('textbox', { name: /^Title of task/ })
		.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
const center = async (locator: Locator) => {
	const box = (await locator.boundingBox())!;
	return { x: box.x + box.width / 2, y: box.y + box.height / 2, box };
};

test('tasks move by mouse, keyboard and touch; deletes can be undone, removals confirmed, limits shown', async ({
	browser
}) => {
	test.setTimeout(150_000);
	const { alice, bob, boardUrl, bobName } = await sharedBoard(browser);
	await alice.setViewportSize({ width: 1280, height: 800 });
	for (const title of ['Write the spec', 'Review', 'Ship']) await addTask(alice, 'To do', title);
	await expect.poll(() => titles(bob, 'todo')).toEqual(['Write the spec', 'Review', 'Ship']);

	// Arrow buttons: labelled with where they go, disabled at the ends, big enough to hit (32 px on a mouse).
	await expect(alice.getByRole('button', { name: 'Write the spec is in the first column' })).toBeDisabled();
	await expect(alice.getByRole('button', { name: 'Move Write the spec up' })).toBeDisabled();
	await expect(alice.getByRole('button', { name: 'Move Ship down' })).toBeDisabled();
	await expect(alice.getByRole('button', { name: 'Move Review down' })).toBeEnabled();
	const toDoing = alice.getByRole('button', { name: 'Move Write the spec to Doing' });
	await expect(toDoing).toBeEnabled();
	expect((await toDoing.boundingBox())!.width).toBeGreaterThanOrEqual(24);

	// Mouse: press the handle, drag over Done (shown as the drop target), let go.
	const handle = alice.getByRole('button', { name: 'Drag Write the spec' });
	const from = await center(handle);
	const to = await center(alice.getByTestId('column-done'));
	await alice.mouse.move(from.x, from.y);
	await alice.mouse.down();
	await alice.mouse.move(to.x, to.y, { steps: 12 });
	await expect(alice.getByTestId('column-done')).toHaveAttribute('data-drop-target', 'true');
	await expect(alice.getByTestId('column-done').getByTestId('drop-line')).toBeVisible();
	await alice.mouse.up();
	await expect(alice.getByTestId('board-announcer')).toHaveText('Moved “Write the spec” to Done.');
	await expect.poll(() => titles(bob, 'done')).toEqual(['Write the spec']);
	await expect(alice.getByRole('button', { name: 'Write the spec is in the last column' })).toBeDisabled();
	await expect(alice.getByTestId('drop-line')).toHaveCount(0);

	// Keyboard: Space picks "Ship" up, → to Doing, Enter drops; focus stays on its handle in the new column.
	const ship = alice.getByRole('button', { name: 'Drag Ship' });
	await ship.focus();
	await alice.keyboard.press('Space');
	await expect(alice.getByTestId('board-announcer')).toContainText('Picked up “Ship” in To do, position 2 of 2.');
	await alice.keyboard.press('ArrowRight');
	await expect(alice.getByTestId('board-announcer')).toHaveText('“Ship”: Doing, position 1 of 1.');
	await expect(alice.getByTestId('column-doing')).toHaveAttribute('data-drop-target', 'true');
	await alice.keyboard.press('Enter');
	await expect(alice.getByTestId('board-announcer')).toHaveText('Moved “Ship” to Doing.');
	await expect(ship).toBeFocused();
	// Within a column too (tasks have an order): Review joins Doing at the end, then moves above Ship.
	await alice.getByRole('button', { name: 'Move Review to Doing' }).click();
	await alice.getByRole('button', { name: 'Drag Review' }).focus();
	await alice.keyboard.press('Enter');
	await alice.keyboard.press('ArrowUp');
	await alice.keyboard.press('Space');
	await expect(alice.getByTestId('board-announcer')).toHaveText('Moved “Review” to Doing, position 1 of 2.');
	await expect.poll(() => titles(bob, 'doing')).toEqual(['Review', 'Ship']);
	// Escape puts it back: nothing moves.
	await alice.keyboard.press('Space');
	await alice.keyboard.press('ArrowLeft');
	await alice.keyboard.press('Escape');
	await expect(alice.getByTestId('board-announcer')).toHaveText('Move cancelled: “Review” stays in Doing.');
	expect(await titles(alice, 'doing')).toEqual(['Review', 'Ship']);

	// Deleting a task: gone at once for both, and Undo brings it back in its place, for both.
	await alice.getByRole('button', { name: 'Delete Review' }).click();
	await expect(alice.getByTestId('undo-toast')).toContainText('Deleted “Review”.');
	await expect.poll(() => titles(bob, 'doing')).toEqual(['Ship']);
	await alice.getByTestId('undo-toast').getByRole('button', { name: 'Undo' }).click();
	await expect(alice.getByTestId('undo-toast')).toHaveCount(0);
	await expect.poll(() => titles(bob, 'doing')).toEqual(['Review', 'Ship']);
	// Without Undo the offer runs out and the delete stands.
	await alice.getByRole('button', { name: 'Delete Ship' }).click();
	await expect(alice.getByTestId('undo-toast')).toHaveCount(0, { timeout: 10_000 });
	await expect.poll(() => titles(bob, 'doing')).toEqual(['Review']);

	// Title limit: the count shows near 200, past it the limit in words; nothing is cut or added.
	const newTask = alice.getByLabel('New task in To do');
	await newTask.fill('a'.repeat(190));
	await expect(alice.getByTestId('column-todo').getByTestId('character-limit')).toHaveText('190/200 characters');
	await newTask.fill('a'.repeat(230));
	await alice.getByRole('button', { name: 'Add task to To do' }).click();
	await expect(alice.getByTestId('column-todo').getByTestId('character-limit')).toHaveText(
		'230/200 — A task title can be at most 200 characters: remove 30.'
	);
	await expect(newTask).toHaveValue('a'.repeat(230));
	await expect(newTask).toHaveAttribute('aria-invalid', 'true');
	expect(await titles(alice, 'todo')).toEqual([]);
	await newTask.fill('b'.repeat(200));
	await alice.getByRole('button', { name: 'Add task to To do' }).click();
	await expect.poll(() => titles(bob, 'todo')).toEqual(['b'.repeat(200)]);
	// Renaming past the limit keeps your text and says why it is not saved; Escape brings the old title back.
	const rename = alice.getByLabel('Title of task Write the spec');
	await rename.fill('c'.repeat(201));
	await rename.press('Enter');
	await expect(alice.getByTestId('column-done').getByText(/can be at most 200 characters: remove 1\./)).toBeVisible();
	await expect(rename).toHaveValue('c'.repeat(201));
	await rename.press('Escape');
	await expect(rename).toHaveValue('Write the spec');
	await expect(alice.getByTestId('column-done').getByText(/can be at most/)).toHaveCount(0);

	// A phone (touch, 390x844): nothing scrolls sideways, Add is on screen, buttons are a finger wide, and
	// a task dragged by its handle moves without the page scrolling under the finger.
	const phoneContext = await browser.newContext({
		storageState: await alice.context().storageState(),
		viewport: { width: 390, height: 844 },
		hasTouch: true,
		isMobile: true
	});
	const phone = await phoneContext.newPage();
	for (const path of [`${boardUrl}/docs`, `${boardUrl}/members`, boardUrl]) {
		await phone.goto(path);
		await expect(phone.getByTestId('sync-status')).toHaveText('synced');
		expect(
			await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
			path
		).toBeLessThanOrEqual(0);
	}
	await expect(phone.getByLabel('New task in To do')).toBeInViewport();
	for (const name of ['Move Review to Done', 'Drag Review', 'Delete Review']) {
		const box = (await phone.getByRole('button', { name }).boundingBox())!;
		expect(Math.min(box.width, box.height), name).toBeGreaterThanOrEqual(44);
	}
	// Columns stack on a phone: put Doing at the top of the screen so Done is below it and the page can scroll.
	await phone
		.getByTestId('column-doing')
		.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80));
	const scrolled = await phone.evaluate(() => window.scrollY);
	expect(scrolled).toBeGreaterThan(0);
	const grip = await center(phone.getByRole('button', { name: 'Drag Review' }));
	const done = (await phone.getByTestId('column-done').boundingBox())!;
	const target = { x: done.x + done.width / 2, y: Math.min(done.y + 40, 844 - 80) };
	expect(target.y - grip.y).toBeGreaterThan(60); // a real swipe down: the page would pan without touch-action
	const cdp = await phoneContext.newCDPSession(phone);
	const touch = (type: string, point?: { x: number; y: number }) =>
		cdp.send('Input.dispatchTouchEvent', { type, touchPoints: point ? [point] : [] });
	await touch('touchStart', grip);
	for (let i = 1; i <= 10; i++)
		await touch('touchMove', {
			x: grip.x + ((target.x - grip.x) * i) / 10,
			y: grip.y + ((target.y - grip.y) * i) / 10
		});
	await expect(phone.getByTestId('column-done')).toHaveAttribute('data-drop-target', 'true');
	await touch('touchEnd');
	await expect(phone.getByTestId('board-announcer')).toHaveText('Moved “Review” to Done.');
	expect(await phone.evaluate(() => window.scrollY)).toBe(scrolled);
	await expect.poll(() => titles(bob, 'done')).toContain('Review');
	await phoneContext.close();

	// Removing a member asks first, naming them. Cancel keeps Bob (he still gets Alice's edits); confirming
	// removes him and his open board stops syncing.
	await alice.getByRole('link', { name: 'Members' }).click();
	await alice.getByRole('button', { name: 'Remove Bob Board' }).click();
	const dialog = alice.getByRole('dialog', { name: 'Remove Bob Board?' });
	await expect(dialog).toContainText(`Bob Board (@${bobName}) loses access to Launch plan`);
	await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(dialog).toBeHidden();
	await expect(alice.getByTestId('member-list')).toContainText('Bob Board');
	await alice.getByRole('link', { name: 'Board', exact: true }).click();
	await addTask(alice, 'Doing', 'Bob still here');
	await expect(bob.getByTestId('column-doing')).toContainText('Bob still here');
	await alice.getByRole('link', { name: 'Members' }).click();
	await alice.getByRole('button', { name: 'Remove Bob Board' }).click();
	await dialog.getByRole('button', { name: 'Remove Bob Board' }).click();
	await expect(dialog).toBeHidden();
	await expect(alice.getByTestId('member-list')).not.toContainText('Bob Board');
	await expect(bob.getByRole('alert')).toContainText('Changes can no longer be synced.');
});
