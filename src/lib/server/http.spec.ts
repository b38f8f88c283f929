import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { newSession, signedInUser } from '../../testing/users';
import { AVATAR_MAX_BYTES } from './images/avatars';

const BASE = 'http://localhost:8787';
const get = (path: string, headers: Record<string, string> = {}) =>
	exports.default.fetch(new Request(`${BASE}${path}`, { headers, redirect: 'manual' }));

/** A SvelteKit form action post, same-origin as a browser would send it. */
function postForm(path: string, cookie: string, form: FormData) {
	return exports.default.fetch(
		new Request(`${BASE}${path}`, {
			method: 'POST',
			body: form,
			headers: { cookie, origin: BASE, accept: 'application/json', 'x-sveltekit-action': 'true' }
		})
	);
}

describe('the SvelteKit worker over HTTP', () => {
	it('serves the landing page with security headers and a CSP', async () => {
		const response = await get('/');
		expect(response.status).toBe(200);
		const html = await response.text();
		expect(html).toContain('Murmur');
		for (const href of ['/chat', '/swarm', '/workspace']) expect(html).toContain(`href="${href}"`);
		const csp = response.headers.get('content-security-policy') ?? '';
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toContain("'wasm-unsafe-eval'");
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
	});

	it('reports health with version and D1 reachability', async () => {
		const response = await get('/api/health');
		expect(response.status).toBe(200);
		const body = (await response.json()) as { status: string; version: string; d1: { ok: boolean } };
		expect(body).toMatchObject({ status: 'ok', d1: { ok: true } });
		expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
	});

	it('treats a forged session cookie as signed out and clears it', async () => {
		const response = await get('/profile', { cookie: 'murmur_session=forged-value-that-is-not-a-token' });
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/signin?next=%2Fprofile');
		expect(response.headers.get('set-cookie')).toMatch(/murmur_session=;.*Max-Age=0/i);
	});

	it('shows the profile to a signed-in user', async () => {
		const { cookie, user } = await signedInUser(env);
		const response = await get('/profile', { cookie });
		expect(response.status).toBe(200);
		expect(await response.text()).toContain(`@${user.username}`);
	});

	it('rejects a cross-site form post (SvelteKit CSRF check)', async () => {
		const { cookie } = await signedInUser(env);
		const response = await exports.default.fetch(
			new Request(`${BASE}/profile?/name`, {
				method: 'POST',
				body: new URLSearchParams({ displayName: 'pwned' }),
				headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }
			})
		);
		expect(response.status).toBe(403);
	});

	it('stores an avatar in R2 and serves it with the sniffed type', async () => {
		const { cookie } = await signedInUser(env);
		const form = new FormData();
		form.set('avatar', new File([PNG], 'me.txt', { type: 'text/plain' }));
		const response = await postForm('/profile?/avatar', cookie, form);
		expect(((await response.json()) as { type: string }).type).toBe('success');

		const page = await (await get('/profile', { cookie })).text();
		const key = /\/api\/images\/(avatars\/[0-9a-f-]+\/[0-9a-f-]+)/.exec(page)?.[1];
		expect(key).toBeDefined();
		const image = await get(`/api/images/${key}`);
		expect(image.status).toBe(200);
		expect(image.headers.get('content-type')).toBe('image/png');
		expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG);
	});

	it('rejects a non-image and an oversized avatar with a message', async () => {
		const { cookie } = await signedInUser(env);
		const text = new FormData();
		text.set('avatar', new File(['<svg onload=alert(1)>'], 'x.png', { type: 'image/png' }));
		const bad = (await (await postForm('/profile?/avatar', cookie, text)).json()) as {
			type: string;
			status: number;
			data: string;
		};
		expect(bad.type).toBe('failure');
		expect(bad.status).toBe(400);
		expect(bad.data).toContain('That file is not a PNG, JPEG, WebP or GIF image.');

		const huge = new FormData();
		const big = new Uint8Array(AVATAR_MAX_BYTES + 1);
		big.set(PNG);
		huge.set('avatar', new File([big], 'big.png', { type: 'image/png' }));
		const tooBig = (await (await postForm('/profile?/avatar', cookie, huge)).json()) as { data: string };
		expect(tooBig.data).toContain('That image is over 2 MB.');
	});

	it('a password change signs out every other session', async () => {
		const first = await signedInUser(env);
		const other = (await newSession(env, first.user.id)).cookie;
		const form = new FormData();
		form.set('current', 'correct horse battery');
		form.set('next', 'a brand new passphrase');
		const result = (await (await postForm('/profile?/password', first.cookie, form)).json()) as { type: string };
		expect(result.type).toBe('success');
		// Both old cookies are now signed out; the response carried a new session for this browser.
		expect((await get('/profile', { cookie: other })).status).toBe(303);
		expect((await get('/profile', { cookie: first.cookie })).status).toBe(303);
	});

	it('answers unknown image keys with 404', async () => {
		expect((await get('/api/images/avatars/../../etc/passwd')).status).toBe(404);
		expect((await get(`/api/images/avatars/${crypto.randomUUID()}/${crypto.randomUUID()}`)).status).toBe(404);
	});
});

const PNG = Uint8Array.from(
	atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9mWAAAAABJRU5ErkJggg=='),
	(c) => c.charCodeAt(0)
);
