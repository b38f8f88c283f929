import { redirect } from '@sveltejs/kit';
import { withNext } from '$lib/next-link';

/**
 * Sends a signed-out visitor to sign in, with `next` = the page they opened (path and query), which
 * sign-in, "Create an account" and sign-up all carry on: an invite link still lands on the invite after
 * a new account is made. Throws SvelteKit's redirect.
 */
export function signInFirst(url: URL): never {
	redirect(303, withNext('/signin', url.pathname + url.search));
}
