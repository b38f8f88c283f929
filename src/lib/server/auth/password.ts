import { argon2id } from '@noble/hashes/argon2.js';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64, encodeBase64 } from '@oslojs/encoding';

/**
 * OWASP Password Storage Cheat Sheet, first argon2id option: m = 19 MiB, t = 2, p = 1.
 * Pure JS (@noble/hashes) because Workers cannot load Node addons nor compile WASM from bytes;
 * WebCrypto PBKDF2 is capped at 100,000 iterations on Cloudflare, below OWASP's 600,000.
 * The parameters are written into every hash so they can be raised later without breaking old hashes.
 */
export const ARGON2ID_PARAMS = { m: 19_456, t: 2, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

export async function hashPassword(password: string): Promise<string> {
	const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
	const { m, t, p } = ARGON2ID_PARAMS;
	const hash = argon2id(password, salt, { m, t, p, dkLen: HASH_BYTES });
	return `$argon2id$v=19$m=${m},t=${t},p=${p}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
	const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
	if (!match) return false;
	const [, m, t, p, salt, expected] = match;
	try {
		const expectedBytes = decodeBase64(expected);
		const actual = argon2id(password, decodeBase64(salt), {
			m: Number(m),
			t: Number(t),
			p: Number(p),
			dkLen: expectedBytes.length
		});
		return constantTimeEqual(actual, expectedBytes);
	} catch {
		// Corrupt base64 or impossible parameters in the stored value: never a match.
		return false;
	}
}
