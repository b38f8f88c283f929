import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import { audit, coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin, noSuchSwarm } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** Revokes an invite and every device that joined with it. */
export const DELETE: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const db = getDb(env);
	const swarm = await ownedSwarm(db, params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	if (!(await coordinator(env, swarm.id).revokeToken(params.tokenId))) {
		return apiError(404, 'not-found', 'No such active invite.');
	}
	await audit(db, locals.user!.id, 'swarm.token.revoke', swarm.id, { tokenId: params.tokenId });
	return json({ revoked: true });
};
