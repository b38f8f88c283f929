import type { Cookies } from '@sveltejs/kit';

/**
 * The device credential lives in an HttpOnly cookie scoped to the swarm's path: page scripts (and any
 * injected script) cannot read it, browsers send it on the device socket's upgrade, and one browser can
 * be a device in several swarms. Non-browser clients (bench, tests) send the same Cookie header.
 */
export const DEVICE_COOKIE = 'murmur_device';
/** A device stays enrolled for a year unless it leaves, is revoked or is cleaned up after 24 h offline. */
const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

export function devicePath(swarmId: string) {
	return `/swarm/${swarmId}`;
}

export function setDeviceCookie(cookies: Cookies, url: URL, swarmId: string, credential: string) {
	cookies.set(DEVICE_COOKIE, credential, {
		path: devicePath(swarmId),
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		maxAge: DEVICE_COOKIE_MAX_AGE_S
	});
}

export function clearDeviceCookie(cookies: Cookies, swarmId: string) {
	cookies.delete(DEVICE_COOKIE, { path: devicePath(swarmId) });
}
