import { describe, expect, it } from 'vitest';
import { ARGON2ID_PARAMS, hashPassword, verifyPassword } from './password';

describe('argon2id password hashing inside workerd', () => {
	it('hashes with OWASP parameters and verifies', async () => {
		const started = performance.now();
		const hash = await hashPassword('correct horse battery staple');
		const ms = performance.now() - started;
		console.log(
			`argon2id m=${ARGON2ID_PARAMS.m} t=${ARGON2ID_PARAMS.t} p=${ARGON2ID_PARAMS.p}: ${ms.toFixed(0)} ms per hash in workerd`
		);
		expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
		expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
		expect(await verifyPassword(hash, 'correct horse battery stapler')).toBe(false);
	});

	it('salts every hash', async () => {
		expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
	});

	it('treats a malformed stored hash as a mismatch, not a crash', async () => {
		expect(await verifyPassword('plaintext', 'plaintext')).toBe(false);
		expect(await verifyPassword('$argon2id$v=19$m=1,t=1,p=1$!!$!!', 'x')).toBe(false);
	});
});
