import { describe, expect, it } from 'vitest';
import { randomId, randomMessageId } from './random-id';

describe('randomId', () => {
	it('makes distinct RFC 9562 version-4 UUIDs', () => {
		const ids = Array.from({ length: 1_000 }, randomId);
		for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(new Set(ids).size).toBe(ids.length);
	});
});

describe('randomMessageId', () => {
	it('makes distinct 16-character ids of the chat message id alphabet', () => {
		const ids = Array.from({ length: 1_000 }, randomMessageId);
		for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
		expect(new Set(ids).size).toBe(ids.length);
	});
});
