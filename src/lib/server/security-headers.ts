/**
 * Headers for every non-upgrade response. Pages get their CSP from SvelteKit (svelte.config.js, with
 * hashes for its inline scripts); other responses (JSON, images) get a CSP that allows nothing.
 */
export function applySecurityHeaders(headers: Headers) {
	headers.set('x-content-type-options', 'nosniff');
	headers.set('referrer-policy', 'strict-origin-when-cross-origin');
	headers.set('x-frame-options', 'DENY');
	headers.set('cross-origin-opener-policy', 'same-origin');
	headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=()');
	if (!headers.has('content-security-policy')) {
		headers.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
	}
}
