import { chatChannel } from '$lib/protocol/chat';
import { roomAccess } from '$lib/server/chat/rooms';
import { getDb } from '$lib/server/db';
import { userIdentity } from '$lib/server/realtime/identity';
import { socketRoute } from '$lib/server/realtime/socket-route';

/**
 * A room's socket: members only (D1 is asked only after the Origin and session checks). `?since=<rev>`
 * resumes after a reconnect (read by the ChatRoom).
 */
export const GET = socketRoute({
	channel: chatChannel,
	namespace: (env) => env.CHAT_ROOM,
	identify: ({ locals }) => locals.user,
	async authorize({ params, platform }, caller) {
		const access = await roomAccess(getDb(platform!.env), params.room!, caller.id);
		if (!access) return { status: 404, code: 'not-found', message: 'No such room.' };
		if (!access.member) return { status: 403, code: 'forbidden', message: 'Join the room first.' };
		// When they joined rides along as a claim: a first read cursor starts there, and the room needs no
		// D1 query of its own to know it.
		const identity = userIdentity(caller);
		identity.claims = { ...identity.claims, joinedAt: access.joinedAt?.getTime() ?? 0 };
		return { object: params.room!, identity };
	}
});
