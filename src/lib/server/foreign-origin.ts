import { apiError } from '$lib/server/api-error';
import { isAllowedOrigin } from '$lib/server/realtime/origin';

/**
 * JSON POSTs, PUTs and DELETEs are not covered by SvelteKit's form CSRF check; a foreign page could still
 * send them with `no-cors` semantics in some browsers, so state-changing JSON APIs check Origin like sockets
 * do. The refusal to answer, or null when the request may go on.
 */
export function foreignOrigin(request: Request, env: Env): Response | null {
	return isAllowedOrigin(request, env.ALLOWED_ORIGINS, env.PUBLIC_ORIGIN)
		? null
		: apiError(403, 'origin', 'Cross-origin request refused.');
}
