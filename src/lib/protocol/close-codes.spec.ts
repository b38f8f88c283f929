import { describe, expect, it } from 'vitest';
import { CLOSE_MEANING, CloseCode, isFinalClose, sendableCloseCode } from './close-codes';

describe('close codes', () => {
	it('gives every code exactly one meaning, the same for every app', () => {
		const codes = Object.values(CloseCode);
		expect(new Set(codes).size).toBe(codes.length);
		for (const code of codes) expect(Object.hasOwn(CLOSE_MEANING, code)).toBe(true);
		expect(Object.keys(CLOSE_MEANING).map(Number).sort()).toEqual([...codes].sort());
	});

	it('stops the client only where reconnecting cannot help', () => {
		expect(isFinalClose(CloseCode.normal)).toBe(false);
		expect(isFinalClose(CloseCode.goingAway)).toBe(false);
		expect(isFinalClose(CloseCode.policy)).toBe(true);
		expect(isFinalClose(CloseCode.tooBig)).toBe(false);
		expect(isFinalClose(CloseCode.internal)).toBe(false);
		expect(isFinalClose(CloseCode.reload)).toBe(true);
		expect(isFinalClose(CloseCode.claimsChanged)).toBe(false);
		expect(isFinalClose(CloseCode.tokenExpired)).toBe(false);
		expect(isFinalClose(CloseCode.heartbeatTimeout)).toBe(false);
		expect(isFinalClose(CloseCode.replaced)).toBe(true);
		expect(isFinalClose(CloseCode.violation)).toBe(true);
		// A code nobody defined (an intermediary's, a newer server's) is retried, never a dead end.
		expect(isFinalClose(4999)).toBe(false);
		expect(isFinalClose(1006)).toBe(false);
	});

	it('never echoes a reserved code', () => {
		expect(sendableCloseCode(1005)).toBe(1000);
		expect(sendableCloseCode(1006)).toBe(1000);
		expect(sendableCloseCode(1015)).toBe(1000);
		expect(sendableCloseCode(999)).toBe(1000);
		expect(sendableCloseCode(4001)).toBe(4001);
	});
});
