import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { isAllowedOrigin } from '$lib/server/realtime/origin';
import { readJsonBody } from '$lib/server/read-json-body';
import type { RpcResult } from './tokens';

/** Swarm API bodies are small (a job spec, an invite's max uses, a join request): 4 KiB is plenty. */
export const SWARM_BODY_MAX_BYTES = 4096;

/** Turns a coordinator RPC result into a JSON response; refusals in the one error shape (apiError). */
export function rpcResponse<T>(result: RpcResult<T>, okStatus = 200): Response {
	if (result.ok) return json(result.value, { status: okStatus });
	return apiError(result.status, result.code, result.message, { retryAfterMs: result.retryAfterMs });
}

/**
 * JSON POSTs are not covered by SvelteKit's form CSRF check; a foreign page could still send them with
 * `no-cors` semantics in some browsers, so state-changing swarm APIs check Origin like sockets do.
 */
export function foreignOrigin(request: Request, env: Env): Response | null {
	return isAllowedOrigin(request, env.ALLOWED_ORIGINS, env.PUBLIC_ORIGIN)
		? null
		: apiError(403, 'origin', 'Cross-origin request refused.');
}

/** The swarm is not in D1, or not the caller's: the same 404 either way, so others' ids are not confirmed. */
export function noSuchSwarm(): Response {
	return apiError(404, 'not-found', 'No such swarm.');
}

/**
 * The request's JSON body (capped at `maxBytes`, SWARM_BODY_MAX_BYTES unless a route carries more, such
 * as a job module's source), or the error response to answer: 413 when too large, 400 when not JSON.
 * With `optional`, no body at all reads as `{}`.
 */
export async function jsonBody(
	request: Request,
	what: string,
	{ optional = false, maxBytes = SWARM_BODY_MAX_BYTES } = {}
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
	if (optional && !request.body) return { ok: true, value: {} };
	const body = await readJsonBody(request, maxBytes);
	if (body.ok) return body;
	return {
		ok: false,
		response:
			body.reason === 'too-large'
				? apiError(413, 'too-large', `Send ${what} in at most ${Math.floor(maxBytes / 1024)} KiB of JSON.`)
				: apiError(400, 'bad-json', `Send ${what} as JSON.`)
	};
}
