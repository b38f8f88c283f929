import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, MAX_IN_FLIGHT, quotaFor, weightsOf, type Candidate } from './scheduler';

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('weighted allocation', () => {
	it('splits in proportion to score, each device within one chunk of its exact share', () => {
		const devices: Candidate[] = [1, 2, 3, 4].map((s, i) => ({
			id: `d${i}`,
			score: s * 1000,
			inFlight: 0,
			quota: 1e6
		}));
		const weights = weightsOf(devices);
		const split = allocate(1000, devices);
		expect(total(split)).toBe(1000);
		for (const d of devices) {
			expect(Math.abs((split.get(d.id) ?? 0) - 1000 * weights.get(d.id)!)).toBeLessThan(1);
		}
	});

	it('respects quotas and re-splits the overflow among devices with room', () => {
		const devices: Candidate[] = [
			{ id: 'fast', score: 1000, inFlight: 0, quota: 2 },
			{ id: 'slow', score: 10, inFlight: 0, quota: 50 },
			{ id: 'busy', score: 500, inFlight: 4, quota: 4 }
		];
		const split = allocate(20, devices);
		expect(split.get('fast')).toBe(2);
		expect(split.get('slow')).toBe(18);
		expect(split.has('busy')).toBe(false);
	});

	it('never exceeds free slots and hands out min(count, free) chunks (property)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 500 }),
				fc.array(
					fc.record({
						score: fc.integer({ min: 0, max: 100_000 }),
						inFlight: fc.integer({ min: 0, max: 8 }),
						quota: fc.integer({ min: 1, max: 8 })
					}),
					{ maxLength: 40 }
				),
				(count, raw) => {
					const devices = raw.map((r, i) => ({ id: `d${i}`, ...r }));
					const split = allocate(count, devices);
					const free = devices
						.filter((d) => d.score > 0)
						.reduce((sum, d) => sum + Math.max(0, d.quota - d.inFlight), 0);
					expect(total(split)).toBe(Math.min(count, free));
					for (const d of devices) {
						const got = split.get(d.id) ?? 0;
						expect(got).toBeLessThanOrEqual(Math.max(0, d.quota - d.inFlight));
						if (d.score === 0) expect(got).toBe(0);
					}
				}
			)
		);
	});

	it('scales quotas with score relative to the fastest device', () => {
		expect(quotaFor(4000, 4000)).toBe(MAX_IN_FLIGHT);
		expect(quotaFor(2000, 4000)).toBe(MAX_IN_FLIGHT / 2);
		expect(quotaFor(1, 4000)).toBe(1);
		expect(quotaFor(0, 0)).toBe(1);
	});
});
