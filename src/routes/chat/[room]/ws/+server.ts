import { chatChannel } from '$lib/protocol/chat';
import { chatRoomStub } from '$lib/server/chat/access';
import { userIdentity } from '$lib/server/realtime/identity';
import { socketRoute } from '$lib/server/realtime/socket-route';

/**
 * A room's socket: members only, asked of the room's own object after the Origin and session checks. The
 * object remembers its members (RoomMembership), so a join of someone it knows costs no D1 query, and a
 * leave (removeMember) makes it forget them at once. `?since=<rev>` resumes after a reconnect (read by
 * the ChatRoom).
 */
export const GET = socketRoute({
	channel: chatChannel,
	namespace: (env) => env.CHAT_ROOM,
	identify: ({ locals }) => locals.user,
	async authorize({ params, platform }, caller) {
		const admission = await chatRoomStub(platform!.env, params.room!).admit(caller.id, params.room!);
		if (!admission.ok) return { status: admission.status, code: admission.code, message: admission.message };
		// When they joined rides along as a claim: a first read cursor starts there.
		const identity = userIdentity(caller);
		identity.claims = { ...identity.claims, joinedAt: admission.joinedAt };
		return { object: params.room!, identity };
	}
});
