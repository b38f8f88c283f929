import { describe, expect, it } from 'vitest';
import { configuredPublicOrigin, publicOrigin } from './public-origin';

describe('PUBLIC_ORIGIN', () => {
	const url = new URL('http://127.0.0.1:8787/swarm/abc');

	it('is used for links when set, as a bare origin', () => {
		expect(publicOrigin({ PUBLIC_ORIGIN: 'http://192.168.1.20:8787' } as never, url)).toBe('http://192.168.1.20:8787');
		expect(configuredPublicOrigin(' https://murmur.example.org/some/path ')).toBe('https://murmur.example.org');
	});

	it('falls back to the request origin when unset, empty or not an http(s) URL', () => {
		for (const value of [undefined, '', '   ', 'murmur.example.org', 'ftp://murmur.example.org']) {
			expect(publicOrigin({ PUBLIC_ORIGIN: value } as never, url)).toBe('http://127.0.0.1:8787');
		}
	});
});
