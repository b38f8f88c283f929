import { json } from '@sveltejs/kit';

/**
 * The one error shape of every JSON API and socket-route refusal: `{ error: { code, message } }`, with
 * `code` stable for programs and `message` written for people. A 429 also carries `Retry-After` (seconds).
 */
export function apiError(
	status: number,
	code: string,
	message: string,
	options: { retryAfterMs?: number; headers?: Record<string, string> } = {}
): Response {
	const headers: Record<string, string> = { ...options.headers };
	if (options.retryAfterMs !== undefined)
		headers['retry-after'] = String(Math.max(1, Math.ceil(options.retryAfterMs / 1000)));
	return json({ error: { code, message } }, { status, headers });
}
