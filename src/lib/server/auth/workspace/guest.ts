/**
 * The demo's guests (REQUIRE_AUTH=false). A guest keeps one id for as long as its browser keeps the cookie:
 * the sync engine binds its client id to the user who first pushed with it, so a guest that got a new id
 * with every token (every reconnect) would have its next pushes refused as "another user's client".
 */
export const GUEST_COOKIE = 'murmur_guest';
/** A month: the demo's offline edits in IndexedDB outlive a browser session, so the id must too. */
export const GUEST_COOKIE_MAX_AGE_S = 30 * 24 * 60 * 60;

const GUEST_ID = /^guest-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The guest id a cookie names, or a new random one (122 random bits, so ids cannot be guessed) when the
 * cookie is missing or not one of ours. `fresh` says the cookie must be (re)set.
 */
export function guestIdentity(cookie: string | undefined): { id: string; fresh: boolean } {
	if (cookie !== undefined && GUEST_ID.test(cookie)) return { id: cookie, fresh: false };
	return { id: `guest-${crypto.randomUUID()}`, fresh: true };
}
