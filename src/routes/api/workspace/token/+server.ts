import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { authRequired, issueWorkspaceToken, readClaimsVersion } from '$lib/server/auth/workspace';
import { DEMO_WORKSPACE_ID, membershipClaims } from '$lib/server/workspace/directory';
import type { RequestHandler } from './$types';

/**
 * A short-lived workspace JWT for the signed-in user (session cookie), which the browser presents when
 * opening a workspace socket. Cross-site pages cannot read this response (no CORS headers), and it is
 * never cached. With REQUIRE_AUTH=false a visitor without a session gets a guest token for the demo.
 */
export const GET: RequestHandler = async ({ locals, platform }) => {
	const env = platform!.env;
	const headers = { 'cache-control': 'no-store' };
	if (!locals.user) {
		if (authRequired(env)) return json({ error: 'Sign in first.' }, { status: 401, headers });
		const guest = `guest-${crypto.randomUUID()}`;
		const issued = await issueWorkspaceToken(env, guest, { [DEMO_WORKSPACE_ID]: 'editor' }, 0);
		return json({ ...issued, userId: guest }, { headers });
	}
	const db = getDb(env);
	// Fresh read: a token must never carry a version older than the one KV holds now.
	const [workspaces, version] = await Promise.all([
		membershipClaims(db, locals.user.id),
		readClaimsVersion(env, locals.user.id, true)
	]);
	if (!authRequired(env)) workspaces[DEMO_WORKSPACE_ID] ??= 'editor';
	const issued = await issueWorkspaceToken(env, locals.user.id, workspaces, version);
	return json({ ...issued, userId: locals.user.id }, { headers });
};
