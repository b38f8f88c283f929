import { describe, expect, it } from 'vitest';
import { addSample, etaSeconds, formatEta, rateOf, type Sample } from './job-progress';

describe('job rate and ETA', () => {
	it('measures chunks per second over the recent window and gives the time left', () => {
		let samples: Sample[] = [];
		for (let i = 0; i <= 20; i++) samples = addSample(samples, { at: i * 2000, done: i * 10 });
		expect(rateOf(samples)).toBe(5);
		expect(etaSeconds(200, 500, 5)).toBe(60);
		expect(formatEta(etaSeconds(200, 500, 5))).toBe('1 min 0 s');
		expect(formatEta(etaSeconds(500, 500, 0))).toBe('0 s');
	});

	it('says nothing before a second of samples, and starts over when the count goes back', () => {
		expect(rateOf(addSample([], { at: 0, done: 0 }))).toBeNull();
		expect(etaSeconds(1, 10, null)).toBeNull();
		expect(addSample([{ at: 0, done: 5 }], { at: 2000, done: 1 })).toEqual([{ at: 2000, done: 1 }]);
	});
});
