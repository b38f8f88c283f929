import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { getDb } from '$lib/server/db';
import { createSession, generateSessionToken, setSessionCookie } from './session';

/** Starts a session for `userId` and sets its cookie (after sign-up or a successful sign-in). */
export async function startSession(event: RequestEvent, userId: string) {
	const token = generateSessionToken();
	const session = await createSession(getDb(event.platform!.env), token, userId);
	setSessionCookie(event.cookies, event.url, token, session.expiresAt);
}

/**
 * Where a sign-in attempt comes from, for throttling (throttle.ts): the address Cloudflare (or the
 * self-hosted proxy) reports in CF-Connecting-IP. Where there is none, the browser's device cookie, set by
 * the sign-in page (OWASP's device-cookie idea: a browser that keeps its cookie is told apart from a
 * script guessing elsewhere); and without that either, every such client shares `anonymous`, so a client
 * that drops its cookie gains nothing.
 */
export function clientKey(event: RequestEvent): string {
	const ip = clientIp(event);
	if (ip) return `ip:${ip}`;
	const device = event.cookies.get(DEVICE_COOKIE);
	return device && DEVICE_ID.test(device) ? `device:${device}` : 'anonymous';
}

/** Gives this browser a device cookie when the platform reports no client address (see clientKey). */
export function ensureDeviceCookie(event: RequestEvent) {
	if (clientIp(event) || DEVICE_ID.test(event.cookies.get(DEVICE_COOKIE) ?? '')) return;
	setDeviceCookie(event.cookies, event.url);
}

function clientIp(event: RequestEvent): string | null {
	try {
		return event.getClientAddress() || null;
	} catch {
		return null;
	}
}

const DEVICE_COOKIE = 'murmur_device';
const DEVICE_ID = /^[a-z2-7]{26}$/;

function setDeviceCookie(cookies: Cookies, url: URL) {
	// 128 random bits; only the sign-in form needs it, so it goes nowhere else.
	const id = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(16)));
	cookies.set(DEVICE_COOKIE, id, {
		path: '/signin',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		maxAge: 400 * 24 * 60 * 60 // the longest browsers keep a cookie
	});
}
