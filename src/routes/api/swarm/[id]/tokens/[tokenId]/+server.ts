import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import { audit, coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin, noSuchSwarm, rpcResponse } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** A live invite's token again, so the owner can show its QR code once more (owner only, never cached). */
export const GET: RequestHandler = async ({ params, platform, locals }) => {
	const env = platform!.env;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	const response = rpcResponse(await coordinator(env, swarm.id).showToken(params.tokenId));
	response.headers.set('cache-control', 'no-store');
	return response;
};

/** Revokes an invite: nobody new can join with it. Devices that joined with it keep running. */
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
