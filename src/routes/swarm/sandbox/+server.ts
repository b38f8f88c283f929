import { SANDBOX_HOST_SCRIPT, sandboxPolicy } from '$lib/swarm/sandbox/host-script';
import type { RequestHandler } from './$types';

let scriptHash: Promise<string> | null = null;

function hashOf(text: string): Promise<string> {
	return crypto.subtle
		.digest('SHA-256', new TextEncoder().encode(text))
		.then((digest) => btoa(String.fromCharCode(...new Uint8Array(digest))));
}

/**
 * The job sandbox (host-script.ts says what it allows): a page that only runs its own inline script, in an
 * opaque origin, framed by our own pages (devices run chunks in it, the owner's dashboard split and merge).
 * X-Frame-Options SAMEORIGIN replaces the DENY every other response gets (security-headers.ts).
 */
export const GET: RequestHandler = async () => {
	scriptHash ??= hashOf(SANDBOX_HOST_SCRIPT);
	const html = `<!doctype html><meta charset="utf-8"><title>Job sandbox</title><script>${SANDBOX_HOST_SCRIPT}</script>`;
	return new Response(html, {
		headers: {
			'content-type': 'text/html; charset=utf-8',
			'content-security-policy': sandboxPolicy(await scriptHash),
			'x-frame-options': 'SAMEORIGIN',
			'cache-control': 'no-cache'
		}
	});
};
