import { configuredPublicOrigin } from '$lib/server/public-origin';

/**
 * Browsers send `Origin` on every WebSocket handshake but do not apply CORS to it, so without this
 * check any site could open a socket with the visitor's cookies (cross-site WebSocket hijacking).
 * Allowed: the worker's own origin, PUBLIC_ORIGIN (where phones reach it, public-origin.ts), the
 * ALLOWED_ORIGINS list, and, when that list is empty, the local dev origins.
 * A missing Origin is a non-browser client (bot, bench), which carries its own credentials.
 */
const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

export function isAllowedOrigin(
	request: Request,
	allowedOrigins: string | undefined,
	publicOrigin?: string | undefined
): boolean {
	const origin = request.headers.get('origin');
	if (origin === null) return true;
	if (origin === new URL(request.url).origin) return true;
	if (origin === configuredPublicOrigin(publicOrigin)) return true;
	const list = (allowedOrigins ?? '')
		.split(',')
		.map((o) => o.trim())
		.filter(Boolean);
	if (list.length === 0) return LOCAL_ORIGIN.test(origin);
	return list.includes(origin);
}
