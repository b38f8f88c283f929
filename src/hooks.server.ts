import type { Handle, HandleServerError } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { isMissingSchema, MIGRATION_FIX } from '$lib/server/db/errors';
import { deleteSessionCookie, SESSION_COOKIE, setSessionCookie, validateSessionToken } from '$lib/server/auth/session';
import { log } from '$lib/server/log';
import { realtimeUrl } from '$lib/server/realtime/socket-ticket';
import { withSecurityHeaders } from '$lib/server/security-headers';

export const handle: Handle = async ({ event, resolve }) => {
	const started = Date.now();
	event.locals.user = null;
	event.locals.session = null;

	let response: Response;
	try {
		await loadSession(event);
		response = await resolve(event);
	} catch (error) {
		if (!isMissingSchema(error)) throw error;
		log('error', 'database schema missing', { fix: MIGRATION_FIX });
		response = new Response(`Murmur's database is not set up yet. ${MIGRATION_FIX}\n`, {
			status: 503,
			headers: { 'content-type': 'text/plain; charset=utf-8' }
		});
	}

	log('info', 'request', {
		method: event.request.method,
		route: event.route.id ?? event.url.pathname,
		status: response.status,
		ms: Date.now() - started
	});
	return withSecurityHeaders(response, event.platform ? realtimeUrl(event.platform.env) : null);
};

async function loadSession(event: Parameters<Handle>[0]['event']) {
	const token = event.cookies.get(SESSION_COOKIE);
	const env = event.platform?.env;
	if (!token || !env) return;
	// A socket upgrade is answered by a Durable Object (its 101, or its refusal), whose headers are immutable:
	// SvelteKit would throw adding a Set-Cookie and the upgrade would become a 500. So an upgrade neither
	// renews nor clears the cookie; the next page load does both. It may reuse this isolate's check of the
	// last few seconds (the page load that opens the socket, another tab): recent-sessions.ts says how
	// sign-out and expiry still take effect.
	const upgrade = event.request.headers.get('upgrade')?.toLowerCase() === 'websocket';
	const result = await validateSessionToken(getDb(env), token, { renew: !upgrade, recent: upgrade });
	if (!result.session) {
		// Malformed, forged, expired or signed-out token: drop it and carry on signed out.
		if (!upgrade) deleteSessionCookie(event.cookies, event.url);
		return;
	}
	if (result.fresh) setSessionCookie(event.cookies, event.url, token, result.session.expiresAt);
	event.locals.session = result.session;
	event.locals.user = result.user;
}

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (isMissingSchema(error)) {
		log('error', 'database schema missing', { route: event.route.id, fix: MIGRATION_FIX });
		return { message: 'The database is not set up yet.', fix: MIGRATION_FIX };
	}
	if (status >= 500) {
		log('error', 'unhandled error', { route: event.route.id, status, error: String(error) });
	}
	return { message };
};
