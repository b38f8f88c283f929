import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import { audit, coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin, noSuchSwarm } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/**
 * Disconnects every device that joined with this invite (their sockets close, their credentials stop
 * working, their chunks move on). Separate from revoking the invite, which only stops new joins.
 */
export const DELETE: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const db = getDb(env);
	const swarm = await ownedSwarm(db, params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	const disconnected = await coordinator(env, swarm.id).disconnectInvite(params.tokenId);
	if (disconnected === null) return apiError(404, 'not-found', 'No such invite.');
	await audit(db, locals.user!.id, 'swarm.token.disconnect', swarm.id, { tokenId: params.tokenId, disconnected });
	return json({ disconnected });
};
