import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (!locals.user) signInFirst(url);
};
