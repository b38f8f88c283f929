import { chatChannel } from '$lib/protocol/chat';
import { chatRoomStub } from '$lib/server/chat/access';
import { userIdentity } from '$lib/server/realtime/identity';
import { socketRoute } from '$lib/server/realtime/socket-route';

/**
 * A room's socket: members only, after the Origin and session checks. Membership is the room object's to
 * say (it remembers its members, RoomMembership: a join of someone it knows costs no D1 query, and a
 * leave, removeMember, makes it forget them at once), so an upgrade is authorized by the room in the call
 * that opens the socket (ChatRoom.onConnect, then the version: the order is the same as every app's, in
 * one object call per join, not an `admit` call and then the upgrade). An outsider is refused by the room
 * whatever the request looks like. A ticket request (the Pages shape, where the upgrade goes to the
 * realtime worker) asks the room's `admit` first, so an outsider gets no ticket. `?since=<rev>` resumes
 * after a reconnect (read by the ChatRoom).
 */
export const GET = socketRoute({
	channel: chatChannel,
	namespace: (env) => env.CHAT_ROOM,
	identify: ({ locals }) => locals.user,
	async authorize({ params, platform }, caller, { forTicket }) {
		const identity = userIdentity(caller);
		if (!forTicket) return { object: params.room!, identity, admittedByObject: true };
		const admission = await chatRoomStub(platform!.env, params.room!).admit(caller.id, params.room!);
		if (!admission.ok) return { status: admission.status, code: admission.code, message: admission.message };
		return { object: params.room!, identity };
	}
});
