import { relayChannel } from '$lib/protocol/relay';
import { userIdentity } from '$lib/server/realtime/identity';
import { socketRoute } from '$lib/server/realtime/socket-route';

/** Smoke-test relay: signed-in users on the same channel see each other's messages. */
export const GET = socketRoute({
	channel: relayChannel,
	namespace: (env) => env.RELAY_ROOM,
	identify: ({ locals }) => (locals.user ? userIdentity(locals.user) : null),
	authorize: ({ params }) => ({ object: params.channel! })
});
