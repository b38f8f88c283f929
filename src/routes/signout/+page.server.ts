import { redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { deleteSessionCookie, invalidateSession } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, platform, cookies, url }) => {
		if (locals.session) await invalidateSession(getDb(platform!.env), locals.session.id);
		deleteSessionCookie(cookies, url);
		redirect(303, '/');
	}
};
