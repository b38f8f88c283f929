import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import {
	authRequired,
	GUEST_COOKIE,
	GUEST_COOKIE_MAX_AGE_S,
	guestIdentity,
	issueWorkspaceToken,
	readClaimsVersion
} from '$lib/server/auth/workspace';
import { DEMO_WORKSPACE_ID, membershipClaims } from '$lib/server/workspace/directory';
import type { RequestHandler } from './$types';

/**
 * A short-lived workspace JWT for the signed-in user (session cookie), which the browser presents when
 * opening a workspace socket. Cross-site pages cannot read this response (no CORS headers), and it is
 * never cached; errors have the API's one shape (apiError). With REQUIRE_AUTH=false a visitor without a
 * session gets a guest token for the demo, under one guest id per browser (guest.ts).
 */
export const GET: RequestHandler = async ({ locals, platform, cookies, url }) => {
	const env = platform!.env;
	const headers = { 'cache-control': 'no-store' };
	if (!locals.user) {
		if (authRequired(env)) return apiError(401, 'unauthenticated', 'Sign in first.', { headers });
		const { id: guest, fresh } = guestIdentity(cookies.get(GUEST_COOKIE));
		if (fresh) {
			cookies.set(GUEST_COOKIE, guest, {
				path: '/',
				httpOnly: true,
				sameSite: 'lax',
				secure: url.protocol === 'https:',
				maxAge: GUEST_COOKIE_MAX_AGE_S
			});
		}
		const issued = await issueWorkspaceToken(env, guest, { [DEMO_WORKSPACE_ID]: 'editor' }, 0);
		return json({ ...issued, userId: guest }, { headers });
	}
	const db = getDb(env);
	// Version first, memberships second, never in parallel: a membership change writes D1 and then bumps
	// the version, so memberships read after the version are at least as new as it. Read the other way
	// round, a token could carry the new version and still list a workspace the user was just removed from.
	// (`fresh` skips this isolate's cache; KV itself may still be up to ~60 s stale across locations, which
	// the Durable Object's own revocation list covers.)
	const version = await readClaimsVersion(env, locals.user.id, true);
	const workspaces = await membershipClaims(db, locals.user.id);
	if (!authRequired(env)) workspaces[DEMO_WORKSPACE_ID] ??= 'editor';
	const issued = await issueWorkspaceToken(env, locals.user.id, workspaces, version);
	return json({ ...issued, userId: locals.user.id }, { headers });
};
