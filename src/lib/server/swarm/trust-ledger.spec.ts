import { describe, expect, it } from 'vitest';
import { deviceQuota, MAX_IN_FLIGHT } from './scheduler';
import { agreementRate, QUARANTINE_STRIKES, strikes, trustFactor, WINS_PER_PARDON } from './trust-ledger';

describe('trust from votes', () => {
	it('halves a device’s quota per strike, pardons one per WINS_PER_PARDON wins, never below one chunk', () => {
		expect(trustFactor(0, 0)).toBe(1);
		expect(deviceQuota(1000, 1000, trustFactor(0, 0), 1)).toBe(MAX_IN_FLIGHT);
		expect(deviceQuota(1000, 1000, trustFactor(0, 1), 1)).toBe(MAX_IN_FLIGHT / 2);
		expect(deviceQuota(1000, 1000, trustFactor(0, 2), 1)).toBe(MAX_IN_FLIGHT / 4);
		expect(deviceQuota(1, 1000, trustFactor(0, 2), 1)).toBe(1);
		expect(strikes(WINS_PER_PARDON, 1)).toBe(0);
		expect(strikes(WINS_PER_PARDON - 1, QUARANTINE_STRIKES)).toBe(QUARANTINE_STRIKES);
	});

	it('gives a device with N slots N − 1 more chunks in hand, and rates agreement', () => {
		expect(deviceQuota(1000, 1000, 1, 4)).toBe(MAX_IN_FLIGHT + 3);
		expect(agreementRate(0, 0)).toBeNull();
		expect(agreementRate(3, 1)).toBe(0.75);
	});
});
