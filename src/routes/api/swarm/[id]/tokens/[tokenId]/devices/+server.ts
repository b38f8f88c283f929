import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { audit, coordinator } from '$lib/server/swarm/directory';
import { ownedSwarmRequest } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/**
 * Disconnects every device that joined with this invite (their sockets close, their credentials stop
 * working, their chunks move on). Separate from revoking the invite, which only stops new joins.
 */
export const DELETE: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, db, swarm } = owned;
	const { params, locals } = event;
	const disconnected = await coordinator(env, swarm.id).disconnectInvite(params.tokenId);
	if (disconnected === null) return apiError(404, 'not-found', 'No such invite.');
	await audit(db, locals.user!.id, 'swarm.token.disconnect', swarm.id, { tokenId: params.tokenId, disconnected });
	return json({ disconnected });
};
