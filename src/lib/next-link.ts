/**
 * A link to the sign-in or sign-up page that carries `next` (already checked by safeNext on the server),
 * so moving between the two keeps where the person was going — an invite, a room, a deep link.
 */
export function withNext(page: '/signin' | '/signup', next: string): string {
	return next === '/' ? page : `${page}?next=${encodeURIComponent(next)}`;
}
