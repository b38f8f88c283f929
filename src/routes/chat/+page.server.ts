import { fail, redirect } from '@sveltejs/kit';
import { createRoomSchema } from '$lib/protocol/chat';
import { createRoom, joinPublicRoom, listRooms, RoomAccessError } from '$lib/server/chat/rooms';
import { getDb } from '$lib/server/db';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, platform }) => {
	if (!locals.user) signInFirst(url);
	return { rooms: await listRooms(getDb(platform!.env), locals.user.id) };
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
		redirect(303, `/chat/${room.id}`);
	},
	join: async ({ request, locals, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		const roomId = String((await request.formData()).get('room') ?? '');
		try {
			await joinPublicRoom(getDb(platform!.env), roomId, locals.user.id);
		} catch (e) {
			if (e instanceof RoomAccessError) return fail(e.status, { error: e.message });
			throw e;
		}
		redirect(303, `/chat/${roomId}`);
	}
};
