import { json } from '@sveltejs/kit';
import { authenticateWorkspaceSocket, GUEST_COOKIE, withoutSocketCredentials } from '$lib/server/auth/workspace';
import { log } from '$lib/server/log';
import { isAllowedOrigin } from '$lib/server/realtime/origin';
import { forwardUpgrade } from '$lib/server/realtime/upgrade';
import type { RequestHandler } from './$types';

/**
 * A workspace sync socket. The JWT arrives as `?token=` (browsers cannot set headers on a WebSocket);
 * the app's request log records the route id only, never the URL, the platform's logs redact query
 * strings (wrangler.toml `observability.redact_query_string`), and the token is stripped from the URL
 * before the upgrade is forwarded to the Durable Object, which gets the verified claims instead.
 */
export const GET: RequestHandler = async ({ request, params, platform, cookies }) => {
	const env = platform!.env;
	// Upgrade and origin first (forwardUpgrade's own answers), so a cross-site page learns nothing about tokens.
	if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !isAllowedOrigin(request, env.ALLOWED_ORIGINS)) {
		return forwardUpgrade(request, env, env.WORKSPACE_SYNC, params.id, null);
	}
	const result = await authenticateWorkspaceSocket(request, env, params.id, cookies.get(GUEST_COOKIE));
	if ('error' in result) {
		log('info', 'workspace socket refused', { workspaceId: params.id, status: result.status, reason: result.error });
		return json({ error: result.error }, { status: result.status });
	}
	return forwardUpgrade(withoutSocketCredentials(request), env, env.WORKSPACE_SYNC, params.id, result.identity);
};
