import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker';
import { retryAfterMs, retryDelay } from './retry';

const policy = { maxRetries: 2, backoffMs: 100, maxRetryAfterMs: 10_000 };

describe('retry policy', () => {
	it('reads Retry-After as seconds, as an HTTP date, and retry-after-ms first', () => {
		const now = Date.parse('2026-12-01T12:00:00Z');
		expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3_000);
		expect(retryAfterMs(new Headers({ 'retry-after': 'Tue, 01 Dec 2026 12:00:05 GMT' }), now)).toBe(5_000);
		expect(retryAfterMs(new Headers({ 'retry-after': '3', 'retry-after-ms': '250' }), now)).toBe(250);
		expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
		expect(retryAfterMs(new Headers({ 'retry-after': '-1' }), now)).toBeNull();
		expect(retryAfterMs(new Headers(), now)).toBeNull();
	});

	it('backs off exponentially with jitter, honours a bounded Retry-After, and stops after maxRetries', () => {
		expect(retryDelay(1, policy, null, () => 0)).toBe(50);
		expect(retryDelay(2, policy, null, () => 1)).toBe(200);
		expect(retryDelay(1, policy, 4_000)).toBe(4_000);
		expect(retryDelay(1, policy, 10_001)).toBeNull();
		expect(retryDelay(3, policy, null)).toBeNull();
	});
});

describe('circuit breaker', () => {
	it('lets one probe through when half-open; its failure re-opens for a full cool-down', () => {
		let now = 0;
		const breaker = new CircuitBreaker({ threshold: 2, cooldownMs: 1_000, now: () => now });
		breaker.failure();
		expect(breaker.admit()).toBe(0);
		breaker.failure();
		expect(breaker.admit()).toBe(1_000);
		now = 1_000;
		expect(breaker.admit()).toBe(0); // the probe
		expect(breaker.admit()).toBeGreaterThan(0); // not a second one meanwhile
		breaker.failure();
		expect(breaker.state).toBe('open');
		expect(breaker.admit()).toBe(1_000);
		now = 2_000;
		expect(breaker.admit()).toBe(0);
		breaker.success();
		expect(breaker.state).toBe('closed');
	});
});
