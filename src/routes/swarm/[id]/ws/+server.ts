import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { findSwarm } from '$lib/server/swarm/directory';
import { forwardUpgrade } from '$lib/server/realtime/upgrade';
import type { RequestHandler } from './$types';

/** The owner's dashboard socket: needs the owner's session. */
export const GET: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const swarm = await findSwarm(getDb(env), params.id);
	if (!swarm) return json({ error: 'No such swarm.' }, { status: 404 });
	if (locals.user && locals.user.id !== swarm.ownerId)
		return json({ error: 'Only the owner can watch this swarm.' }, { status: 403 });
	const identity = locals.user ? { kind: 'user' as const, id: locals.user.id, name: locals.user.displayName } : null;
	return forwardUpgrade(request, env, env.SWARM_COORDINATOR, swarm.id, identity);
};
