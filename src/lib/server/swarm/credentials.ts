import { hmac } from '@oslojs/crypto/hmac';
import { SHA256, sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/**
 * Join tokens and device credentials. Everything is synchronous so the coordinator can check and write
 * in one turn, without awaiting (which would let other messages interleave).
 */

export function randomHex(bytes: number): string {
	return encodeHexLowerCase(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * An invite's join token: HMAC-SHA256 of the invite id under the swarm's secret (256 bits, as unguessable as
 * random bytes to anyone without the secret). Derived rather than random so the owner can show a live
 * invite's QR code again without the coordinator storing the token: only its hash is stored, and the secret
 * is the one that already signs device credentials.
 */
export function inviteToken(secret: string, swarmId: string, inviteId: string): string {
	const key = decodeBase64urlIgnorePadding(secret);
	return encodeBase64urlNoPadding(hmac(SHA256, key, new TextEncoder().encode(`invite:${swarmId}:${inviteId}`)));
}

/** Only this hash is stored: a leaked database does not let anyone join. */
export function hashToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** The per-swarm HMAC key, generated on first use and kept in the coordinator's storage. */
export function newSecret(): string {
	return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * `<deviceId>.<HMAC-SHA256(secret, swarm:device)>`: binds the device to this swarm without a lookup table.
 * The coordinator still checks the device and its join token are live, so revoking either kills it.
 */
export function signDeviceCredential(secret: string, swarmId: string, deviceId: string): string {
	return `${deviceId}.${encodeBase64urlNoPadding(mac(secret, swarmId, deviceId))}`;
}

/** The device id when the signature is valid for this swarm, else null. */
export function verifyDeviceCredential(secret: string, swarmId: string, credential: string): string | null {
	const match = /^([a-f0-9]{32})\.([A-Za-z0-9_-]{43})$/.exec(credential);
	if (!match) return null;
	let given: Uint8Array;
	try {
		given = decodeBase64urlIgnorePadding(match[2]);
	} catch {
		return null;
	}
	return constantTimeEqual(given, mac(secret, swarmId, match[1])) ? match[1] : null;
}

function mac(secret: string, swarmId: string, deviceId: string): Uint8Array {
	return hmac(SHA256, decodeBase64urlIgnorePadding(secret), new TextEncoder().encode(`device:${swarmId}:${deviceId}`));
}
