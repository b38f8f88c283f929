import { workspaceChannel } from '$lib/protocol/workspace-channel';
import {
	authorizeWorkspaceCaller,
	GUEST_COOKIE,
	identifyWorkspaceCaller,
	isSocketRefusal,
	withoutSocketCredentials
} from '$lib/server/auth/workspace';
import { log } from '$lib/server/log';
import { socketRoute, type SocketRefusal } from '$lib/server/realtime/socket-route';

/**
 * A workspace sync socket. The JWT arrives as `?token=` (browsers cannot set headers on a WebSocket);
 * the app's request log records the route id only, never the URL, the platform's logs redact query
 * strings (wrangler.toml `observability.redact_query_string`), and the token is stripped from the URL
 * before the upgrade is forwarded to the Durable Object, which gets the verified claims instead.
 * socketRoute checks the upgrade and the Origin first, so a cross-site page learns nothing about tokens.
 */
export const GET = socketRoute({
	channel: workspaceChannel,
	namespace: (env) => env.WORKSPACE_SYNC,
	identify: async ({ request, platform, cookies, params }) =>
		logged(params.id!, await identifyWorkspaceCaller(request, platform!.env, cookies.get(GUEST_COOKIE))),
	authorize: async ({ request, platform, params }, caller) => {
		const identity = await authorizeWorkspaceCaller(caller, platform!.env, params.id!);
		if (isSocketRefusal(identity)) return logged(params.id!, identity);
		return { object: params.id!, request: withoutSocketCredentials(request), identity };
	}
});

/** Refusals are logged by code (never the token); anything else passes through. */
function logged<T>(workspaceId: string, result: T | SocketRefusal): T | SocketRefusal {
	if (isSocketRefusal(result)) log('info', 'workspace socket refused', { workspaceId, ...result });
	return result;
}
