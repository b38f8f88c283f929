import { describe, expect, it } from 'vitest';
import { joinLink, onlyThisMachine, readInvite } from './join-link';

const token = 'A'.repeat(40) + '_-9';

describe('join links', () => {
	it('carry the token in the fragment, and read back from a link, a fragment or a bare code', () => {
		const link = joinLink('http://192.168.1.20:8787', 'ab'.repeat(16), token);
		expect(link).toBe(`http://192.168.1.20:8787/swarm/${'ab'.repeat(16)}/join#t=${token}`);
		for (const pasted of [link, `#t=${token}`, ` ${token} `])
			expect(readInvite(pasted)).toEqual({ token, problem: null });
		expect(readInvite('')).toBeNull();
		expect(readInvite('#')).toBeNull();
	});

	it('say in words what is wrong with a cut-off or foreign code', () => {
		expect(readInvite(`#t=${token.slice(0, 12)}`)?.problem).toBe(
			'This invite code looks incomplete — paste the whole link.'
		);
		expect(readInvite('https://example.com/something else')?.problem).toMatch(/^This is not an invite link/);
	});

	it('flag origins only this machine can open', () => {
		for (const origin of ['http://localhost:8787', 'http://127.0.0.1:8787', 'http://[::1]:8787', 'http://0.0.0.0:8787'])
			expect(onlyThisMachine(origin)).toBe(true);
		for (const origin of ['http://192.168.1.20:8787', 'https://murmur.example.org', 'http://127.0.0.2:8811'])
			expect(onlyThisMachine(origin)).toBe(false);
	});
});
