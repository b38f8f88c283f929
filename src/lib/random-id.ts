/**
 * A random v4 UUID for ids the browser makes (tasks, docs, chat messages, sync clients). Not
 * `crypto.randomUUID()`: browsers offer it only in secure contexts, and a phone opening the app at
 * `http://<LAN address>` (npm run start:lan) is not one — `crypto.getRandomValues` works everywhere.
 */
export function randomId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
	bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
	const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A chat message id: 96 random bits as 16 base64url characters. Shorter than a UUID because every
 * socket in the room receives it with each message (chat-wire.ts); 2^96 makes a collision within one
 * room (the only place ids must be unique) as unlikely as with a UUID's 122 bits for any real room.
 */
export function randomMessageId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	const base64 = btoa(String.fromCharCode(...bytes));
	return base64.replace(/\+/g, '-').replace(/\//g, '_');
}
