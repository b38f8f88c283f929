import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signedInUser } from '../../testing/users';
import { ACCOUNT_FAILURE_LIMIT } from '$lib/server/auth/throttle';

const BASE = 'http://localhost:8787';

function signIn(username: string, password: string) {
	return exports.default.fetch(
		new Request(`${BASE}/signin`, {
			method: 'POST',
			redirect: 'manual',
			body: new URLSearchParams({ username, password }),
			// A browser without JavaScript posting the form (no `use:enhance`).
			headers: {
				accept: 'text/html',
				origin: BASE,
				'content-type': 'application/x-www-form-urlencoded',
				'cf-connecting-ip': '192.0.2.50'
			}
		})
	);
}

describe('sign-in form', () => {
	it('signs in with the right password and sets an HttpOnly session cookie', async () => {
		const { user } = await signedInUser(env);
		const response = await signIn(user.username, 'correct horse battery');
		expect(response.status).toBe(303);
		const cookie = response.headers.get('set-cookie') ?? '';
		expect(cookie).toMatch(/^murmur_session=[a-z2-7]{32};/);
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
	});

	it('answers 429 with Retry-After once the account has too many failures', async () => {
		const { user } = await signedInUser(env);
		for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
			const failed = await signIn(user.username, `wrong ${i}`);
			expect(failed.status).toBe(400);
			expect(await failed.text()).toContain('Wrong username or password.');
		}
		const blocked = await signIn(user.username, 'correct horse battery');
		expect(blocked.status).toBe(429);
		expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await blocked.text()).toContain('Too many failed attempts.');
		expect(blocked.headers.get('set-cookie') ?? '').not.toContain('murmur_session=');
	});

	it('rejects malformed input with the same generic message', async () => {
		const response = await signIn('', 'x'.repeat(500));
		expect(response.status).toBe(400);
		expect(await response.text()).toContain('Wrong username or password.');
	});
});
