import { error, fail, redirect } from '@sveltejs/kit';
import { chatRoomStub, membershipChanged } from '$lib/server/chat/access';
import { createInvite, joinPublicRoom, leaveRoom, RoomAccessError, roomAccess } from '$lib/server/chat/rooms';
import { getDb } from '$lib/server/db';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params, platform }) => {
	if (!locals.user) signInFirst(url);
	const db = getDb(platform!.env);
	const access = await roomAccess(db, params.room, locals.user.id);
	if (!access) error(404, 'No such room (or it is private and you have no invite).');
	return {
		room: { id: access.room.id, name: access.room.name, isPrivate: access.room.isPrivate },
		member: access.member,
		isOwner: access.role === 'owner',
		me: {
			id: locals.user.id,
			name: locals.user.displayName,
			avatarKey: locals.user.avatarKey,
			username: locals.user.username
		}
	};
};

export const actions: Actions = {
	join: async ({ locals, params, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		try {
			await joinPublicRoom(getDb(platform!.env), params.room, locals.user.id);
			await membershipChanged(platform!.env, locals.user.id);
		} catch (e) {
			if (e instanceof RoomAccessError) return fail(e.status, { error: e.message });
			throw e;
		}
		return { joined: true };
	},
	leave: async ({ locals, params, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		const env = platform!.env;
		try {
			await leaveRoom(getDb(env), params.room, locals.user.id);
		} catch (e) {
			if (e instanceof RoomAccessError) return fail(e.status, { error: e.message });
			throw e;
		}
		// Open sockets were admitted as a member; close them so leaving takes effect at once.
		await chatRoomStub(env, params.room).removeMember(locals.user.id);
		await membershipChanged(env, locals.user.id);
		redirect(303, '/chat');
	},
	invite: async ({ locals, params, platform, url }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		try {
			const token = await createInvite(getDb(platform!.env), params.room, locals.user.id);
			return { inviteUrl: `${url.origin}/chat/invite/${token}` };
		} catch (e) {
			if (e instanceof RoomAccessError) return fail(e.status, { error: e.message });
			throw e;
		}
	}
};
