import { json } from '@sveltejs/kit';
import { withIdentity, type SocketIdentity } from './identity';
import { isAllowedOrigin } from './origin';

/**
 * The one way a WebSocket reaches a Durable Object: checks it is an upgrade, from an allowed origin,
 * by someone the caller has authenticated, then forwards the original request to the named object.
 * SvelteKit passes the DO's 101 response (with its `webSocket`) back untouched.
 */
export async function forwardUpgrade(
	request: Request,
	env: Env,
	namespace: DurableObjectNamespace,
	objectName: string,
	identity: SocketIdentity | null
): Promise<Response> {
	if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
		return json({ error: 'Expected a WebSocket upgrade.' }, { status: 426, headers: { Upgrade: 'websocket' } });
	}
	if (!isAllowedOrigin(request, env.ALLOWED_ORIGINS)) {
		return json({ error: 'This origin may not open sockets here (see ALLOWED_ORIGINS).' }, { status: 403 });
	}
	if (!identity) {
		return json({ error: 'Sign in first.' }, { status: 401 });
	}
	const stub = namespace.get(namespace.idFromName(objectName));
	return stub.fetch(withIdentity(request, identity));
}
