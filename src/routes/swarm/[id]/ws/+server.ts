import { swarmChannel } from '$lib/protocol/swarm-channel';
import { getDb } from '$lib/server/db';
import { userIdentity } from '$lib/server/realtime/identity';
import { socketRoute } from '$lib/server/realtime/socket-route';
import { findSwarm } from '$lib/server/swarm/directory';

/** The owner's dashboard socket: a signed-in person, and the swarm (in D1) must be theirs. */
export const GET = socketRoute({
	channel: swarmChannel,
	namespace: (env) => env.SWARM_COORDINATOR,
	identify: ({ locals }) => (locals.user ? userIdentity(locals.user) : null),
	async authorize({ params, platform }, caller) {
		const swarm = await findSwarm(getDb(platform!.env), params.id!);
		if (!swarm) return { status: 404, code: 'not-found', message: 'No such swarm.' };
		if (swarm.ownerId !== caller.id)
			return { status: 403, code: 'forbidden', message: 'Only the owner can watch this swarm.' };
		return { object: swarm.id };
	}
});
