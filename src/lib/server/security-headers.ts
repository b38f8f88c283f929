/**
 * The response as the client gets it: with the headers every non-upgrade response carries. Pages get their
 * CSP from SvelteKit (svelte.config.js, with hashes for its inline scripts); other responses (JSON,
 * images) get a CSP that allows nothing.
 *
 * A 101 carries the client end of a WebSocket and goes back untouched. Every other response is set on a
 * copy: one that came from a Durable Object stub (a socket route's refusal) has immutable headers, and
 * setting them in place throws "Can't modify immutable headers", which turned the object's own
 * 401/403/404 into a 500. The copy shares the original's body stream, so nothing is buffered.
 *
 * `realtimeUrl` (PUBLIC_REALTIME_URL, Pages shape): pages may also open sockets on the realtime worker, so
 * its ws(s) origin joins the page CSP's connect-src, which SvelteKit builds from svelte.config.js alone.
 */
export function withSecurityHeaders(response: Response, realtimeUrl: string | null = null): Response {
	if (response.status === 101) return response;
	const copy = new Response(response.body, response);
	const headers = copy.headers;
	headers.set('x-content-type-options', 'nosniff');
	headers.set('referrer-policy', 'strict-origin-when-cross-origin');
	// Only the job sandbox (/swarm/sandbox) sets its own: SAMEORIGIN, so our pages can frame it.
	if (!headers.has('x-frame-options')) headers.set('x-frame-options', 'DENY');
	headers.set('cross-origin-opener-policy', 'same-origin');
	headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=()');
	const csp = headers.get('content-security-policy');
	if (csp && realtimeUrl) headers.set('content-security-policy', withSocketOrigin(csp, realtimeUrl));
	if (!headers.has('content-security-policy')) {
		headers.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
	}
	return copy;
}

function withSocketOrigin(csp: string, realtimeUrl: string): string {
	const url = new URL(realtimeUrl);
	const origin = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
	return csp.replace(/(^|;\s*)connect-src ([^;]*)/, (_, start, sources) => `${start}connect-src ${sources} ${origin}`);
}
