import { error, fail, redirect } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { membershipChanged } from '$lib/server/chat/access';
import { inviteHash, joinByInvite, RoomAccessError } from '$lib/server/chat/rooms';
import { getDb } from '$lib/server/db';
import { chatRooms } from '$lib/server/db/schema';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { Actions, PageServerLoad } from './$types';

/** An invite link shows the room's name and asks before joining (a GET never changes membership). */
export const load: PageServerLoad = async ({ locals, url, params, platform }) => {
	if (!locals.user) signInFirst(url);
	if (!/^[a-z2-7]{32}$/.test(params.token)) error(404, 'That invite link is not valid.');
	const [room] = await getDb(platform!.env)
		.select({ id: chatRooms.id, name: chatRooms.name })
		.from(chatRooms)
		.where(eq(chatRooms.inviteHash, inviteHash(params.token)));
	if (!room) error(404, 'That invite link is not valid (it may have been replaced by a newer one).');
	return { room };
};

export const actions: Actions = {
	default: async ({ locals, params, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		try {
			const room = await joinByInvite(getDb(platform!.env), params.token, locals.user.id);
			await membershipChanged(platform!.env, locals.user.id);
			redirect(303, `/chat/${room.id}`);
		} catch (e) {
			if (e instanceof RoomAccessError) return fail(e.status, { error: e.message });
			throw e;
		}
	}
};
