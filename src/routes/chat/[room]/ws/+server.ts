import { chatChannel } from '$lib/protocol/chat';
import { chatRoomStub } from '$lib/server/chat/access';
import { userIdentity } from '$lib/server/realtime/identity';
import { socketRoute } from '$lib/server/realtime/socket-route';

/**
 * A room's socket: members only, asked of the room's own object after the Origin and session checks
 * (upgrade → Origin → identity → authorize → version → the object, as every app), so an outsider is
 * refused before anything is forwarded, whatever the request looks like. The object remembers its
 * members (RoomMembership: a join of someone it knows costs no D1 query; a leave, removeMember, makes it
 * forget them at once) and admits again when it accepts the socket (ChatRoom.onConnect), from memory.
 * Tickets (the Pages shape) go through the same step. `?since=<rev>` resumes after a reconnect.
 */
export const GET = socketRoute({
	channel: chatChannel,
	namespace: (env) => env.CHAT_ROOM,
	identify: ({ locals }) => locals.user,
	async authorize({ params, platform }, caller) {
		const admission = await chatRoomStub(platform!.env, params.room!).admit(caller.id, params.room!);
		if (!admission.ok) return { status: admission.status, code: admission.code, message: admission.message };
		return { object: params.room!, identity: userIdentity(caller) };
	}
});
