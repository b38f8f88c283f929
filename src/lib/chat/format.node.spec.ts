import { describe, expect, it } from 'vitest';
import { dayLabel, reactedLabel, sameDay } from './format';

describe('day separators', () => {
	const noon = new Date(2026, 11, 1, 12, 0).getTime();
	it('says Today and Yesterday by calendar day, not by 24 hours', () => {
		expect(dayLabel(new Date(2026, 11, 1, 0, 1).getTime(), noon)).toBe('Today');
		expect(dayLabel(new Date(2026, 10, 30, 23, 59).getTime(), noon)).toBe('Yesterday');
		expect(dayLabel(new Date(2026, 10, 30, 0, 0).getTime(), new Date(2026, 11, 1, 0, 0).getTime())).toBe('Yesterday');
		expect(sameDay(new Date(2026, 10, 30, 23, 59).getTime(), new Date(2026, 11, 1, 0, 0).getTime())).toBe(false);
	});
	it('gives older days as a date, with the year only when it is another year', () => {
		const older = dayLabel(new Date(2026, 10, 28, 9).getTime(), noon);
		expect(older).toMatch(/28/);
		expect(older).not.toMatch(/2026/);
		expect(dayLabel(new Date(2025, 11, 31, 9).getTime(), noon)).toMatch(/2025/);
	});
	it('crosses a change of summer time (a day of 23 or 25 hours)', () => {
		// Whatever the zone of the machine: the calendar day before is "Yesterday".
		for (const [month, day] of [
			[2, 29],
			[9, 25],
			[2, 9],
			[10, 2]
		]) {
			const now = new Date(2026, month, day, 0, 30).getTime();
			expect(dayLabel(new Date(2026, month, day - 1, 0, 30).getTime(), now)).toBe('Yesterday');
		}
	});
});

describe('who reacted', () => {
	it('names people, the reader first as "You", and counts the rest', () => {
		expect(reactedLabel('👍', ['Ada'], 1, -1)).toBe('Ada reacted with 👍');
		expect(reactedLabel('👍', ['Ada', 'Me'], 2, 1)).toBe('You and Ada reacted with 👍');
		expect(reactedLabel('🎉', ['Ada', 'Bo', 'Cy'], 3, -1)).toBe('Ada, Bo and Cy reacted with 🎉');
		expect(reactedLabel('🎉', ['Ada', null], 25, -1)).toBe('Ada and 24 others reacted with 🎉');
		expect(reactedLabel('🎉', [null], 1, -1)).toBe('1 person reacted with 🎉');
	});
});
