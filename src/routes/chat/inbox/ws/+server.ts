import { chatInboxChannel } from '$lib/protocol/chat-inbox';
import { userIdentity } from '$lib/server/realtime/identity';
import { socketRoute } from '$lib/server/realtime/socket-route';

/**
 * The signed-in person's chat inbox socket (ChatInbox, named by their user id): their own, so authorizing
 * needs no D1 query; the inbox reads their rooms itself.
 */
export const GET = socketRoute({
	channel: chatInboxChannel,
	namespace: (env) => env.CHAT_INBOX,
	identify: ({ locals }) => (locals.user ? userIdentity(locals.user) : null),
	authorize: (_event, caller) => ({ object: caller.id })
});
