import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { signedInUser } from '../../testing/users';
import { getDb } from '$lib/server/db';
import {
	ACCOUNT_FAILURE_LIMIT,
	CLIENT_ACCOUNT_FAILURE_LIMIT,
	recordFailure,
	THROTTLE_WINDOW_MS
} from '$lib/server/auth/throttle';

const BASE = 'http://localhost:8787';

/**
 * `query` is the page's query string, e.g. `?next=…`: the form posts back to the URL it was shown at.
 * `ip` is the client's address as Cloudflare reports it.
 */
function signIn(username: string, password: string, query = '', ip = '192.0.2.50') {
	return exports.default.fetch(
		new Request(`${BASE}/signin${query}`, {
			method: 'POST',
			redirect: 'manual',
			body: new URLSearchParams({ username, password }),
			// A browser without JavaScript posting the form (no `use:enhance`).
			headers: {
				accept: 'text/html',
				origin: BASE,
				'content-type': 'application/x-www-form-urlencoded',
				'cf-connecting-ip': ip
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

	// Was "once the account has too many failures": five wrong passwords then locked the owner out everywhere.
	it('answers 429 to the address that guessed 5 times, while the owner signs in from another', async () => {
		const { user } = await signedInUser(env);
		const attacker = '198.51.100.66';
		for (let i = 0; i < CLIENT_ACCOUNT_FAILURE_LIMIT; i++) {
			const failed = await signIn(user.username, `wrong ${i}`, '', attacker);
			expect(failed.status).toBe(400);
			expect(await failed.text()).toContain('Wrong username or password.');
		}
		const blocked = await signIn(user.username, 'correct horse battery', '', attacker);
		expect(blocked.status).toBe(429);
		expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await blocked.text()).toContain('Too many failed attempts. Try again in 15 minutes.');
		expect(blocked.headers.get('set-cookie') ?? '').not.toContain('murmur_session=');

		const owner = await signIn(user.username, 'correct horse battery', '', '203.0.113.7');
		expect(owner.status).toBe(303);
		expect(owner.headers.get('set-cookie')).toMatch(/^murmur_session=/);
		// Each attempt is a real argon2id hash (~0.4 s alone, several times that on a busy 2-core machine).
	}, 30_000);

	it('refuses every address, with the reason and the wait, once the account reaches its ceiling', async () => {
		const { user } = await signedInUser(env);
		// Failures from many places, recorded as the form records them (50 real hashes would take minutes).
		const db = getDb(env);
		const started = Date.now() - 60_000; // the window opened a minute ago
		for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
			const client = `ip:198.51.100.${Math.floor(i / CLIENT_ACCOUNT_FAILURE_LIMIT)}`;
			await recordFailure(db, { client, account: user.username }, started);
		}
		const blocked = await signIn(user.username, 'correct horse battery', '', '203.0.113.8');
		expect(blocked.status).toBe(429);
		const wait = Number(blocked.headers.get('retry-after'));
		expect(wait).toBeGreaterThan(THROTTLE_WINDOW_MS / 1000 - 90);
		expect(wait).toBeLessThanOrEqual(THROTTLE_WINDOW_MS / 1000 - 60);
		expect(await blocked.text()).toContain(
			'Too many failed attempts on this account from several places, so signing in to it is paused on every device. Try again in 14 minutes.'
		);
		expect(blocked.headers.get('set-cookie') ?? '').not.toContain('murmur_session=');
	});

	it('tells clients apart by a device cookie where no address is reported', async () => {
		const page = await exports.default.fetch(new Request(`${BASE}/signin`));
		const device = /murmur_device=([a-z2-7]{26}\.[a-z2-7]{52});/.exec(page.headers.get('set-cookie') ?? '')?.[1];
		expect(device).toBeDefined();
		expect(page.headers.get('set-cookie')).toMatch(/Path=\/signin/);
		expect(page.headers.get('set-cookie')).toMatch(/HttpOnly/i);
		const { user } = await signedInUser(env);
		const db = getDb(env);
		for (let i = 0; i < CLIENT_ACCOUNT_FAILURE_LIMIT; i++) {
			await recordFailure(db, { client: 'anonymous', account: user.username });
		}
		const post = (cookie?: string) =>
			exports.default.fetch(
				new Request(`${BASE}/signin`, {
					method: 'POST',
					redirect: 'manual',
					body: new URLSearchParams({ username: user.username, password: 'correct horse battery' }),
					headers: {
						accept: 'text/html',
						origin: BASE,
						'content-type': 'application/x-www-form-urlencoded',
						...(cookie ? { cookie } : {})
					}
				})
			);
		// Without address or cookie a client is `anonymous`, which the guessing above has used up...
		expect((await post()).status).toBe(429);
		// ...while the browser holding its device cookie signs in.
		expect((await post(`murmur_device=${device}`)).status).toBe(303);
	}, 30_000);

	// Was: any 26-character base32 value counted as a device, so a script minted a fresh one every five guesses.
	it('counts forged device cookies against one shared budget, while a signed one keeps its own', async () => {
		const { user } = await signedInUser(env);
		const post = (password: string, cookie: string) =>
			exports.default.fetch(
				new Request(`${BASE}/signin`, {
					method: 'POST',
					redirect: 'manual',
					body: new URLSearchParams({ username: user.username, password }),
					headers: { accept: 'text/html', origin: BASE, 'content-type': 'application/x-www-form-urlencoded', cookie }
				})
			);
		const forged = () => `murmur_device=${encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(16)))}`;
		const page = await exports.default.fetch(new Request(`${BASE}/signin`));
		const signed = /murmur_device=([^;]+);/.exec(page.headers.get('set-cookie') ?? '')![1]!;
		// A signed-looking value with another id's MAC is forged too.
		const [, mac] = signed.split('.');
		const spliced = `murmur_device=${forged().slice('murmur_device='.length)}.${mac}`;
		for (let i = 0; i < CLIENT_ACCOUNT_FAILURE_LIMIT; i++) {
			const failed = await post(`wrong ${i}`, i === 0 ? spliced : forged());
			expect(failed.status).toBe(400);
		}
		// A sixth invented "device" gets no fresh tries: the five above used up the shared budget...
		const blocked = await post('correct horse battery', forged());
		expect(blocked.status).toBe(429);
		expect(await blocked.text()).toContain('Too many failed attempts. Try again in 15 minutes.');
		// ...while the browser holding the cookie the sign-in page issued signs in.
		const owner = await post('correct horse battery', `murmur_device=${signed}`);
		expect(owner.status).toBe(303);
		expect(owner.headers.get('set-cookie')).toMatch(/^murmur_session=/);
	}, 30_000);

	it('rejects malformed input with the same generic message', async () => {
		const response = await signIn('', 'x'.repeat(500));
		expect(response.status).toBe(400);
		expect(await response.text()).toContain('Wrong username or password.');
	});
});

/**
 * `?next=` exactly as it appears in the URL (not decoded here), each of which must redirect to `/`: the
 * issue's `/%5C127.0.0.1:1/phish` sent Chromium to 127.0.0.1:1. A raw tab is dropped by the URL parser
 * before the server sees it, as a browser drops it. safe-next.spec.ts has the decoded table.
 */
const HOSTILE_NEXT = [
	'/%5C127.0.0.1:1/phish',
	'/%5Cevil.example',
	'%5C%5Cevil.example',
	'/\t/evil.example', // a literal tab
	'/%09/evil.example',
	'%09//evil.example',
	'/%0d%0aLocation:x',
	'/%0D%0A/evil.example',
	'//evil.example',
	'%2F%2Fevil.example',
	'/%2F/evil.example',
	'%20//evil.example',
	'/..//evil.example',
	'/%2E%2E//evil.example',
	'javascript:alert(1)',
	'javascript%3Aalert(1)',
	'https://evil.example',
	'https%3A%2F%2Fevil.example',
	'http:evil.example',
	'data:text/html,%3Cscript%3Ealert(1)%3C/script%3E'
];

const KEPT_NEXT = [
	[encodeURIComponent('/chat/abc?x=1#y'), '/chat/abc?x=1#y'],
	['/profile', '/profile']
];

const cases = [...HOSTILE_NEXT.map((raw) => [raw, '/']), ...KEPT_NEXT];

describe('?next= after sign-in and sign-up stays on this site', () => {
	// One account for the whole table: each password check costs a real hash.
	let account: Awaited<ReturnType<typeof signedInUser>>;
	beforeAll(async () => {
		account = await signedInUser(env);
	});

	it.each(cases)('GET /signin and /signup when signed in, next=%s → %s', async (raw, expected) => {
		for (const page of ['/signin', '/signup']) {
			const response = await exports.default.fetch(
				new Request(`${BASE}${page}?next=${raw}`, { headers: { cookie: account.cookie }, redirect: 'manual' })
			);
			expect(response.status).toBe(303);
			expect(response.headers.get('location')).toBe(expected);
		}
	});

	it.each(cases)('sign-in POST, next=%s → %s', async (raw, expected) => {
		const response = await signIn(account.user.username, 'correct horse battery', `?next=${raw}`);
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe(expected);
	});

	// The same function serves sign-up (safe-next.ts); a few of the table, since each creates an account.
	const signUpCases = [
		...['/%5C127.0.0.1:1/phish', '/%09/evil.example', '/%0d%0aLocation:x', '/..//evil.example'].map((raw) => [
			raw,
			'/'
		]),
		...KEPT_NEXT
	];
	it.each(signUpCases)('sign-up POST, next=%s → %s', async (raw, expected) => {
		const username = `new${crypto.randomUUID().slice(0, 8)}`;
		const response = await exports.default.fetch(
			new Request(`${BASE}/signup?next=${raw}`, {
				method: 'POST',
				redirect: 'manual',
				body: new URLSearchParams({ username, displayName: 'New user', password: 'correct horse battery' }),
				headers: { accept: 'text/html', origin: BASE, 'content-type': 'application/x-www-form-urlencoded' }
			})
		);
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe(expected);
	});
});
