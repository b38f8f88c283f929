import { fail, redirect } from '@sveltejs/kit';
import { createRoomSchema } from '$lib/protocol/chat';
import { CHAT_INBOX_ROOMS_MAX } from '$lib/protocol/chat-unread-limits';
import { membershipChanged, roomSummaries } from '$lib/server/chat/access';
import { createRoom, joinPublicRoom, listRooms, RoomAccessError } from '$lib/server/chat/rooms';
import { getDb } from '$lib/server/db';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, platform }) => {
	if (!locals.user) signInFirst(url);
	const env = platform!.env;
	const { mine, open } = await listRooms(getDb(env), locals.user.id);
	const activity = await roomSummaries(env, locals.user.id, mine.slice(0, CHAT_INBOX_ROOMS_MAX));
	return {
		rooms: { mine: mine.map(({ id, name, isPrivate }) => ({ id, name, isPrivate })), open },
		activity
	};
};

export const actions: Actions = {
	create: async ({ request, locals, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		const form = Object.fromEntries(await request.formData());
		const parsed = createRoomSchema.safeParse(form);
		// The name comes back as typed, so refusing it loses nothing.
		const name = String(form.name ?? '');
		if (!parsed.success) return fail(400, { name, error: parsed.error.issues[0]?.message ?? 'Check the form.' });
		const room = await createRoom(getDb(platform!.env), locals.user.id, parsed.data);
		await membershipChanged(platform!.env, locals.user.id);
		redirect(303, `/chat/${room.id}`);
	},
	join: async ({ request, locals, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		const roomId = String((await request.formData()).get('room') ?? '');
		try {
			await joinPublicRoom(getDb(platform!.env), roomId, locals.user.id);
			await membershipChanged(platform!.env, locals.user.id);
		} catch (e) {
			if (e instanceof RoomAccessError) return fail(e.status, { error: e.message });
			throw e;
		}
		redirect(303, `/chat/${roomId}`);
	}
};
