/**
 * Sessions as the Lucia guide (lucia-auth.com, "Basic session API") teaches, with @oslojs:
 * a random token goes to the browser, only its SHA-256 is stored, so a leaked database holds no
 * usable credentials. The deprecated `lucia` package is not used (see README, "Auth").
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Cookies } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { sessions, users } from '$lib/server/db/schema';
import { RecentSessions } from './recent-sessions';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Lifetime of a session; it slides forward on use. */
export const SESSION_TTL_MS = 30 * DAY_MS;
/** Extend when less than half of the lifetime remains (Lucia guide), so active users stay signed in. */
export const SESSION_RENEW_BEFORE_MS = SESSION_TTL_MS / 2;
/** 20 random bytes = 160 bits of entropy (the guide asks for at least 120). */
const TOKEN_BYTES = 20;

export const SESSION_COOKIE = 'murmur_session';

export interface Session {
	id: string;
	userId: string;
	expiresAt: Date;
}

export interface SessionUser {
	id: string;
	username: string;
	displayName: string;
	avatarKey: string | null;
}

export type SessionValidation =
	{ session: Session; user: SessionUser; fresh: boolean } | { session: null; user: null; fresh: false };

/** This isolate's recent session checks, which socket upgrades may reuse (recent-sessions.ts). */
const recentSessions = new RecentSessions();

export function generateSessionToken(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(db: Db, token: string, userId: string): Promise<Session> {
	const session: Session = {
		id: sessionIdFromToken(token),
		userId,
		expiresAt: new Date(Date.now() + SESSION_TTL_MS)
	};
	await db.insert(sessions).values(session);
	return session;
}

/**
 * Looks the token up; deletes it when expired; slides the expiry when past half-life (`fresh`) unless
 * `renew` is false — for a request whose response cannot carry the renewed cookie (a socket upgrade).
 * With `recent` (socket upgrades), a check of this isolate's last RECENT_SESSION_MS answers instead of D1.
 */
export async function validateSessionToken(
	db: Db,
	token: string,
	{ renew = true, recent = false } = {}
): Promise<SessionValidation> {
	const none = { session: null, user: null, fresh: false } as const;
	if (!/^[a-z2-7]{32}$/.test(token)) return none;
	const id = sessionIdFromToken(token);
	const known = recent ? recentSessions.get(id) : null;
	if (known) return { ...known, fresh: false };
	const [row] = await db
		.select({
			session: sessions,
			user: {
				id: users.id,
				username: users.username,
				displayName: users.displayName,
				avatarKey: users.avatarKey
			}
		})
		.from(sessions)
		.innerJoin(users, eq(sessions.userId, users.id))
		.where(eq(sessions.id, id));
	if (!row) {
		recentSessions.forget(id); // signed out elsewhere: this isolate's upgrades hear of it too
		return none;
	}
	const { session, user } = row;
	const now = Date.now();
	if (now >= session.expiresAt.getTime()) {
		recentSessions.forget(id);
		await db.delete(sessions).where(eq(sessions.id, id));
		return none;
	}
	let fresh = false;
	if (renew && now >= session.expiresAt.getTime() - SESSION_RENEW_BEFORE_MS) {
		session.expiresAt = new Date(now + SESSION_TTL_MS);
		await db.update(sessions).set({ expiresAt: session.expiresAt }).where(eq(sessions.id, id));
		fresh = true;
	}
	recentSessions.remember(session, user, now);
	return { session, user, fresh };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
	recentSessions.forget(sessionId);
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Used on password change: every device must sign in again. */
export async function invalidateUserSessions(db: Db, userId: string): Promise<void> {
	recentSessions.forgetUser(userId);
	await db.delete(sessions).where(eq(sessions.userId, userId));
}

export function setSessionCookie(cookies: Cookies, url: URL, token: string, expiresAt: Date) {
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		// SvelteKit defaults `secure` to true except on http://localhost; be explicit for 127.0.0.1 too.
		secure: url.protocol === 'https:',
		expires: expiresAt
	});
}

export function deleteSessionCookie(cookies: Cookies, url: URL) {
	cookies.delete(SESSION_COOKIE, { path: '/', secure: url.protocol === 'https:' });
}
