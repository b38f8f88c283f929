import type { RequestEvent } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { DEVICE_COOKIE, setDeviceCookie, verifiedDeviceId } from './device-cookie';
import { createSession, generateSessionToken, setSessionCookie } from './session';

/** Starts a session for `userId` and sets its cookie (after sign-up or a successful sign-in). */
export async function startSession(event: RequestEvent, userId: string) {
	const token = generateSessionToken();
	const session = await createSession(getDb(event.platform!.env), token, userId);
	setSessionCookie(event.cookies, event.url, token, session.expiresAt);
}

/**
 * Where a sign-in attempt comes from, for throttling (throttle.ts): the address Cloudflare (or the
 * self-hosted proxy) reports in CF-Connecting-IP. Where there is none, the browser's device cookie, set
 * and signed by the sign-in page (OWASP's device-cookie idea: a browser that keeps its cookie is told apart
 * from a script guessing elsewhere); and without a valid one — none, malformed or forged — every such
 * client shares `anonymous`, so a client that drops or invents cookies gains no tries.
 */
export async function clientKey(event: RequestEvent): Promise<string> {
	const ip = clientIp(event);
	if (ip) return `ip:${ip}`;
	const device = await verifiedDeviceId(event.platform!.env, event.cookies.get(DEVICE_COOKIE));
	return device ? `device:${device}` : 'anonymous';
}

/** Gives this browser a signed device cookie when the platform reports no client address (see clientKey). */
export async function ensureDeviceCookie(event: RequestEvent) {
	if (clientIp(event)) return;
	const env = event.platform!.env;
	if (await verifiedDeviceId(env, event.cookies.get(DEVICE_COOKIE))) return;
	await setDeviceCookie(env, event.cookies, event.url);
}

function clientIp(event: RequestEvent): string | null {
	try {
		return event.getClientAddress() || null;
	} catch {
		return null;
	}
}
