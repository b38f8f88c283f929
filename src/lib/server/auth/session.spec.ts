import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '$lib/server/db';
import { sessions } from '$lib/server/db/schema';
import { createUser } from './accounts';
import {
	createSession,
	generateSessionToken,
	invalidateSession,
	invalidateUserSessions,
	SESSION_RENEW_BEFORE_MS,
	SESSION_TTL_MS,
	sessionIdFromToken,
	validateSessionToken
} from './session';

const db = getDb(env);
const DAY = 24 * 60 * 60 * 1000;

async function newUser() {
	const name = `s${crypto.randomUUID().slice(0, 8)}`;
	return createUser(db, { username: name, displayName: name, password: 'password1234' });
}

describe('sessions (Lucia guide) against real D1', () => {
	it('creates a 160-bit token and stores only its SHA-256', async () => {
		const user = await newUser();
		const token = generateSessionToken();
		expect(token).toMatch(/^[a-z2-7]{32}$/); // 32 base32 chars = 160 bits
		const session = await createSession(db, token, user.id);
		expect(session.id).toBe(sessionIdFromToken(token));
		expect(session.id).not.toContain(token);
		const [row] = await db.select().from(sessions).where(eq(sessions.userId, user.id));
		expect(row.id).toMatch(/^[0-9a-f]{64}$/);
		expect(Math.abs(row.expiresAt.getTime() - (Date.now() + SESSION_TTL_MS))).toBeLessThan(5_000);
	});

	it('validates a token and returns the user', async () => {
		const user = await newUser();
		const token = generateSessionToken();
		await createSession(db, token, user.id);
		const result = await validateSessionToken(db, token);
		expect(result.user?.id).toBe(user.id);
		expect(result.fresh).toBe(false);
	});

	it('rejects malformed and unknown tokens', async () => {
		expect((await validateSessionToken(db, 'not a token')).session).toBeNull();
		expect((await validateSessionToken(db, "'; drop table sessions; --")).session).toBeNull();
		expect((await validateSessionToken(db, generateSessionToken())).session).toBeNull();
	});

	it('extends a session once less than half of its lifetime remains', async () => {
		const user = await newUser();
		const token = generateSessionToken();
		const session = await createSession(db, token, user.id);
		const nearEnd = new Date(Date.now() + SESSION_RENEW_BEFORE_MS - DAY);
		await db.update(sessions).set({ expiresAt: nearEnd }).where(eq(sessions.id, session.id));
		const result = await validateSessionToken(db, token);
		expect(result.fresh).toBe(true);
		expect(result.session!.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 5_000);
		const [row] = await db.select().from(sessions).where(eq(sessions.id, session.id));
		expect(row.expiresAt.getTime()).toBe(result.session!.expiresAt.getTime());
	});

	it('does not extend a session with more than half its lifetime left', async () => {
		const user = await newUser();
		const token = generateSessionToken();
		const session = await createSession(db, token, user.id);
		const result = await validateSessionToken(db, token);
		expect(result.session!.expiresAt.getTime()).toBe(session.expiresAt.getTime());
	});

	it('deletes an expired session when it is presented', async () => {
		const user = await newUser();
		const token = generateSessionToken();
		const session = await createSession(db, token, user.id);
		await db
			.update(sessions)
			.set({ expiresAt: new Date(Date.now() - 1) })
			.where(eq(sessions.id, session.id));
		expect((await validateSessionToken(db, token)).session).toBeNull();
		expect(await db.select().from(sessions).where(eq(sessions.id, session.id))).toHaveLength(0);
	});

	it('invalidates one session, or all of a user', async () => {
		const user = await newUser();
		const [a, b, c] = [generateSessionToken(), generateSessionToken(), generateSessionToken()];
		const sa = await createSession(db, a, user.id);
		await createSession(db, b, user.id);
		await createSession(db, c, user.id);
		await invalidateSession(db, sa.id);
		expect((await validateSessionToken(db, a)).session).toBeNull();
		expect((await validateSessionToken(db, b)).session).not.toBeNull();
		await invalidateUserSessions(db, user.id);
		expect((await validateSessionToken(db, b)).session).toBeNull();
		expect((await validateSessionToken(db, c)).session).toBeNull();
	});
});
