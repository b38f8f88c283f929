import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { relayChannel } from '$lib/protocol/relay';
import { getDb } from '$lib/server/db';
import { sessions } from '$lib/server/db/schema';
import { ORIGIN, upgrade } from '../../../testing/channel-socket';
import { newSession, signedInUser } from '../../../testing/users';
import { RECENT_SESSION_MS, RECENT_SESSIONS_MAX, RecentSessions } from './recent-sessions';
import { sessionIdFromToken } from './session';

const user = { id: 'u1', username: 'u1', displayName: 'U1', avatarKey: null };
const session = (id: string, expiresAt: number, userId = 'u1') => ({ id, userId, expiresAt: new Date(expiresAt) });

/** Through the whole worker (hooks, the relay's socket route, its object), as a browser would. */
async function opens(cookie: string): Promise<number> {
	const response = await upgrade(relayChannel, '/realtime/recent-sessions/ws', { cookie });
	if (response.status === 101) {
		response.webSocket!.accept();
		response.webSocket!.close(1000);
	}
	return response.status;
}
const pageLoad = (cookie: string) => exports.default.fetch(new Request(`${ORIGIN}/`, { headers: { cookie } }));
const form = (path: string, cookie: string, fields: Record<string, string> = {}) =>
	exports.default.fetch(
		new Request(`${ORIGIN}${path}`, {
			method: 'POST',
			redirect: 'manual',
			headers: { cookie, origin: ORIGIN, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(fields)
		})
	);

describe('recent session checks, reused by socket upgrades (Lucia semantics kept)', () => {
	it('reuses a check for RECENT_SESSION_MS, never past the session expiry, and forgets on sign-out', () => {
		const recent = new RecentSessions();
		const now = 1_000_000;
		recent.remember(session('a', now + 60 * RECENT_SESSION_MS), user, now);
		expect(recent.get('a', now + RECENT_SESSION_MS - 1)?.session.id).toBe('a');
		expect(recent.get('a', now + RECENT_SESSION_MS)).toBeNull();
		// A session about to expire is reused only until it does.
		recent.remember(session('b', now + 100), user, now);
		expect(recent.get('b', now + 99)).not.toBeNull();
		expect(recent.get('b', now + 100)).toBeNull();
		recent.remember(session('c', now + 60 * RECENT_SESSION_MS), user, now);
		recent.remember(session('d', now + 60 * RECENT_SESSION_MS, 'u2'), user, now);
		recent.forget('c');
		expect(recent.get('c', now)).toBeNull();
		recent.remember(session('e', now + 60 * RECENT_SESSION_MS), user, now);
		recent.forgetUser('u1');
		expect(recent.get('e', now)).toBeNull();
		expect(recent.get('d', now)).not.toBeNull();
	});

	it('stays bounded however many sessions it sees', () => {
		const recent = new RecentSessions();
		for (let i = 0; i < RECENT_SESSIONS_MAX + 50; i++) recent.remember(session(`s${i}`, Date.now() + 60_000), user);
		expect(recent.size).toBe(RECENT_SESSIONS_MAX);
		expect(recent.get('s0')).toBeNull(); // the oldest went first
		expect(recent.get(`s${RECENT_SESSIONS_MAX + 49}`)).not.toBeNull();
	});

	it('an upgrade after sign-out is refused at once, though the session was checked a moment ago', async () => {
		const { cookie } = await signedInUser(env);
		expect((await pageLoad(cookie)).status).toBe(200); // checked against D1, remembered
		expect(await opens(cookie)).toBe(101);
		expect((await form('/signout', cookie)).status).toBe(303);
		expect(await opens(cookie)).toBe(401);
	});

	it('a password change refuses the upgrades of every other session of the person at once', async () => {
		const { user: person, cookie } = await signedInUser(env);
		const other = await newSession(env, person.id);
		expect(await opens(other.cookie)).toBe(101); // checked against D1, remembered
		expect(await opens(other.cookie)).toBe(101); // reused
		const changed = await form('/profile?/password', cookie, {
			current: 'correct horse battery',
			next: 'a new horse battery'
		});
		expect(changed.status).toBe(200);
		expect(await opens(other.cookie)).toBe(401);
	});

	it('a sign-out this isolate did not see reaches its upgrades with the next check of that session', async () => {
		const { token, cookie } = await signedInUser(env);
		expect(await opens(cookie)).toBe(101);
		// Signed out through another isolate: the row is gone, this memory was not told. Within
		// RECENT_SESSION_MS an upgrade here may still reuse the check (the documented window) …
		await getDb(env)
			.delete(sessions)
			.where(eq(sessions.id, sessionIdFromToken(token)));
		expect(await opens(cookie)).toBe(101);
		// … until anything here asks D1 about that session again: a page load, which finds no row.
		expect((await pageLoad(cookie)).status).toBe(200);
		expect(await opens(cookie)).toBe(401);
	});
});
