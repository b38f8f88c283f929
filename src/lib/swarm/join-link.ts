/**
 * Join links: what the swarm's QR code encodes, and how the join page reads one back. The token rides in
 * the fragment, so it never reaches server logs or Referer headers.
 */

/** Join tokens are 32 bytes in base64url (credentials.ts inviteToken): exactly 43 characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function joinLink(origin: string, swarmId: string, token: string): string {
	return `${origin}/swarm/${swarmId}/join#t=${token}`;
}

/**
 * True when a link on this origin only works on this machine (localhost, 127.0.0.1, ::1, 0.0.0.0): a phone
 * scanning the QR code would reach itself, not this server.
 */
export function onlyThisMachine(origin: string): boolean {
	let host: string;
	try {
		host = new URL(origin).hostname;
	} catch {
		return true;
	}
	return /^(localhost|.*\.localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)$/i.test(host);
}

/**
 * The token in what a person pasted: a whole join link (`…/join#t=<token>`), its fragment, or the bare code.
 * Null when there is nothing to read; otherwise the token and, when it cannot be one, a message in words.
 */
export function readInvite(pasted: string): { token: string; problem: string | null } | null {
	const text = pasted.trim();
	if (!text) return null;
	const fragment = text.includes('#') ? text.slice(text.indexOf('#') + 1) : text;
	const token = fragment.startsWith('t=') ? (new URLSearchParams(fragment).get('t') ?? '') : fragment;
	if (!token) return null;
	if (TOKEN_SHAPE.test(token)) return { token, problem: null };
	if (token.length < 43 && /^[A-Za-z0-9_-]*$/.test(token)) {
		return { token, problem: 'This invite code looks incomplete — paste the whole link.' };
	}
	return { token, problem: 'This is not an invite link — paste the link or QR code text the owner shared.' };
}
