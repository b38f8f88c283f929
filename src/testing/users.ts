import { getDb } from '$lib/server/db';
import { createUser } from '$lib/server/auth/accounts';
import { createSession, generateSessionToken, SESSION_COOKIE } from '$lib/server/auth/session';

/** A real user with a real session in the test's D1, and the cookie header a browser would send. */
export async function signedInUser(env: Env, username = `user${crypto.randomUUID().slice(0, 8)}`) {
	const db = getDb(env);
	const user = await createUser(db, { username, displayName: `Test ${username}`, password: 'correct horse battery' });
	return { user, ...(await newSession(env, user.id)) };
}

/** Another session for the same user, as a second device would have. */
export async function newSession(env: Env, userId: string) {
	const token = generateSessionToken();
	await createSession(getDb(env), token, userId);
	return { token, cookie: `${SESSION_COOKIE}=${token}` };
}
