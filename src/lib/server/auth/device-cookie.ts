import type { Cookies } from '@sveltejs/kit';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { signingKey, type WorkspaceAuthEnv } from './workspace/secrets';

/**
 * The sign-in page's device cookie (OWASP's device-cookie idea, see clientKey in sign-in.ts):
 * `<id>.<mac>`, a random id and HMAC-SHA256 of it under the app's signing secret. Signed because the
 * cookie earns its holder a throttle counter of its own: were any well-formed value accepted, a script
 * could mint a fresh "device" for every five guesses and reach the account's ceiling from one place.
 */
export const DEVICE_COOKIE = 'murmur_device';

const ID = /^[a-z2-7]{26}$/;
/** Domain separation: the same secret signs workspace JWTs and (derived) socket tickets. */
const PURPOSE = 'murmur sign-in device v1:';

/** The device id if `value` is a cookie this app issued; null for a missing, malformed or forged one. */
export async function verifiedDeviceId(env: WorkspaceAuthEnv, value: string | undefined): Promise<string | null> {
	const [id, mac, ...rest] = (value ?? '').split('.');
	if (rest.length > 0 || !id || !mac || !ID.test(id) || !/^[a-z2-7]{52}$/.test(mac)) return null;
	return equalInConstantTime(await macOf(env, id), mac) ? id : null;
}

/** Sets a new signed device cookie, scoped to the sign-in page (nothing else needs it). */
export async function setDeviceCookie(env: WorkspaceAuthEnv, cookies: Cookies, url: URL) {
	const id = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(16))); // 128 random bits
	cookies.set(DEVICE_COOKIE, `${id}.${await macOf(env, id)}`, {
		path: '/signin',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		maxAge: 400 * 24 * 60 * 60 // the longest browsers keep a cookie
	});
}

async function macOf(env: WorkspaceAuthEnv, id: string): Promise<string> {
	const key = await crypto.subtle.importKey(
		'raw',
		new Uint8Array(await signingKey(env)),
		{ name: 'HMAC', hash: 'SHA-256' },
		false,
		['sign']
	);
	const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(PURPOSE + id));
	return encodeBase32LowerCaseNoPadding(new Uint8Array(mac));
}

/** Both are 52 characters (checked before); constant time, so timing cannot reveal a MAC piece by piece. */
function equalInConstantTime(a: string, b: string): boolean {
	let diff = a.length ^ b.length;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}
