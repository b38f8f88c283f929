import type { Session, SessionUser } from './session';

/**
 * How long a session check (against D1) also answers this isolate's socket upgrades. A page that opens
 * its sockets (chat, presence, several tabs, a reconnect after a network blip) does so within moments of
 * the page load whose check said yes, so the upgrade reuses that answer instead of asking D1 again.
 *
 * What it means for revocation (Lucia's semantics: sign-out and expiry take effect): a sign-out or
 * password change forgets the session here at once (invalidateSession / invalidateUserSessions), and an
 * expired session is never reused (an entry lasts at most until the session's own expiry). Only a
 * sign-out served by another isolate of the worker, which cannot reach this memory, takes up to this long
 * to refuse an upgrade here. Pages, forms and APIs ask D1 every time, as before.
 */
export const RECENT_SESSION_MS = 10_000;
/** Sessions remembered at most per isolate; beyond, the oldest are dropped (asked of D1 again). */
export const RECENT_SESSIONS_MAX = 10_000;

interface Recent {
	session: Session;
	user: SessionUser;
	until: number;
}

/**
 * The session checks of the last RECENT_SESSION_MS in this isolate, by session id (the token's SHA-256,
 * never the token). Only sessions D1 confirmed are kept: a made-up or signed-out token is asked of D1
 * every time, as before, and cannot fill this.
 */
export class RecentSessions {
	private readonly byId = new Map<string, Recent>();

	/** D1 just confirmed this session. */
	remember(session: Session, user: SessionUser, now = Date.now()) {
		this.byId.delete(session.id); // re-inserted last: the oldest check is the one dropped first
		this.byId.set(session.id, { session, user, until: Math.min(now + RECENT_SESSION_MS, session.expiresAt.getTime()) });
		if (this.byId.size > RECENT_SESSIONS_MAX) this.byId.delete(this.byId.keys().next().value!);
	}

	/** A check of the last RECENT_SESSION_MS, or null (ask D1). */
	get(sessionId: string, now = Date.now()): { session: Session; user: SessionUser } | null {
		const recent = this.byId.get(sessionId);
		if (!recent) return null;
		if (now >= recent.until) {
			this.byId.delete(sessionId);
			return null;
		}
		return { session: recent.session, user: recent.user };
	}

	/** Signed out: no upgrade reuses it. */
	forget(sessionId: string) {
		this.byId.delete(sessionId);
	}

	/** Every session of the user (a password change signs every device out). */
	forgetUser(userId: string) {
		for (const [id, recent] of this.byId) if (recent.session.userId === userId) this.byId.delete(id);
	}

	get size(): number {
		return this.byId.size;
	}
}
