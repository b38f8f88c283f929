import type { RequestEvent } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { createSession, generateSessionToken, setSessionCookie } from './session';

/** Starts a session for `userId` and sets its cookie (after sign-up or a successful sign-in). */
export async function startSession(event: RequestEvent, userId: string) {
	const token = generateSessionToken();
	const session = await createSession(getDb(event.platform!.env), token, userId);
	setSessionCookie(event.cookies, event.url, token, session.expiresAt);
}

/** The client address Cloudflare reports (CF-Connecting-IP); 'unknown' where the platform gives none. */
export function clientIp(event: RequestEvent): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}
