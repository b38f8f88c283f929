import { describe, expect, it } from 'vitest';
import { canonicalJson, jsonSize } from './canonical-json';

describe('canonical JSON', () => {
	it('gives equal values one text whatever their key order, and numbers as ECMAScript prints them', () => {
		expect(canonicalJson({ b: [1, { y: 2, x: 1 }], a: 'é' })).toBe('{"a":"é","b":[1,{"x":1,"y":2}]}');
		expect(canonicalJson({ a: -0, b: 1e21, c: 0.1 + 0.2 })).toBe('{"a":0,"b":1e+21,"c":0.30000000000000004}');
		expect(canonicalJson(JSON.parse('{"__proto__":1,"constructor":2}'))).toBe('{"__proto__":1,"constructor":2}');
	});

	it('refuses what is not JSON and what nests too deep, with a reason', () => {
		for (const value of [undefined, NaN, Infinity, () => 1, new Date(0), 1n]) expect(jsonSize(value).ok).toBe(false);
		expect(jsonSize(JSON.parse('['.repeat(34) + ']'.repeat(34)))).toEqual({
			ok: false,
			error: 'nested deeper than 32 levels'
		});
		expect(jsonSize({ a: 'é' })).toMatchObject({ ok: true, bytes: 10 });
	});
});
