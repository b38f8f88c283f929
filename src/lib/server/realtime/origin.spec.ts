import { describe, expect, it } from 'vitest';
import { isAllowedOrigin } from './origin';

const request = (origin: string | null, url = 'https://murmur.example/chat/ws') =>
	new Request(url, { headers: origin ? { origin } : {} });

describe('WebSocket Origin allowlist', () => {
	it('allows the worker’s own origin and non-browser clients', () => {
		expect(isAllowedOrigin(request('https://murmur.example'), '')).toBe(true);
		expect(isAllowedOrigin(request(null), 'https://other.example')).toBe(true);
	});

	it('defaults to local dev origins only', () => {
		expect(isAllowedOrigin(request('http://localhost:5173'), '')).toBe(true);
		expect(isAllowedOrigin(request('http://127.0.0.1:8787'), undefined)).toBe(true);
		expect(isAllowedOrigin(request('https://evil.example'), '')).toBe(false);
		expect(isAllowedOrigin(request('http://localhost.evil.example'), '')).toBe(false);
	});

	it('uses ALLOWED_ORIGINS exactly when it is set', () => {
		const list = 'https://app.example, https://admin.example';
		expect(isAllowedOrigin(request('https://admin.example'), list)).toBe(true);
		expect(isAllowedOrigin(request('http://localhost:5173'), list)).toBe(false);
	});

	it('always allows PUBLIC_ORIGIN (where phones reach the server), ignoring a malformed one', () => {
		const phone = request('http://192.168.1.20:8787', 'http://127.0.0.1:8787/swarm/x/device/ws');
		expect(isAllowedOrigin(phone, '', 'http://192.168.1.20:8787')).toBe(true);
		expect(isAllowedOrigin(phone, 'https://app.example', 'http://192.168.1.20:8787/')).toBe(true);
		expect(isAllowedOrigin(phone, '', '')).toBe(false);
		expect(isAllowedOrigin(phone, '', 'not a url')).toBe(false);
		expect(isAllowedOrigin(request('http://192.168.1.21:8787'), '', 'http://192.168.1.20:8787')).toBe(false);
	});
});
