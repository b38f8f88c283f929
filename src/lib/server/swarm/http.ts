import { json } from '@sveltejs/kit';
import { isAllowedOrigin } from '$lib/server/realtime/origin';
import { readJsonBody } from '$lib/server/read-json-body';
import type { RpcResult } from './tokens';

/** Turns a coordinator RPC result into a JSON response (429s carry Retry-After in seconds). */
export function rpcResponse<T>(result: RpcResult<T>, okStatus = 200): Response {
	if (result.ok) return json(result.value, { status: okStatus });
	const headers: Record<string, string> = {};
	let retryAfterSeconds: number | undefined;
	if (result.retryAfterMs !== undefined) {
		retryAfterSeconds = Math.ceil(result.retryAfterMs / 1000);
		headers['retry-after'] = String(retryAfterSeconds);
	}
	return json({ error: result.error, retryAfterSeconds }, { status: result.status, headers });
}

/**
 * JSON POSTs are not covered by SvelteKit's form CSRF check; a foreign page could still send them with
 * `no-cors` semantics in some browsers, so state-changing swarm APIs check Origin like sockets do.
 */
export function foreignOrigin(request: Request, env: Env): Response | null {
	return isAllowedOrigin(request, env.ALLOWED_ORIGINS)
		? null
		: json({ error: 'Cross-origin request refused.' }, { status: 403 });
}

/** A JSON body within `maxBytes` (readJsonBody), or null when it is not JSON or too big. */
export async function readJson(request: Request, maxBytes = 4096): Promise<unknown> {
	const body = await readJsonBody(request, maxBytes);
	return body.ok ? body.value : null;
}
