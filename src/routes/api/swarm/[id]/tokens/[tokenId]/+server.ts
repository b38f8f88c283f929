import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { audit, coordinator } from '$lib/server/swarm/directory';
import { ownedSwarmRequest, rpcResponse } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** A live invite's token again, so the owner can show its QR code once more (owner only, never cached). */
export const GET: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, swarm } = owned;
	const { params } = event;
	const response = rpcResponse(await coordinator(env, swarm.id).showToken(params.tokenId));
	response.headers.set('cache-control', 'no-store');
	return response;
};

/** Revokes an invite: nobody new can join with it. Devices that joined with it keep running. */
export const DELETE: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, db, swarm } = owned;
	const { params, locals } = event;
	if (!(await coordinator(env, swarm.id).revokeToken(params.tokenId))) {
		return apiError(404, 'not-found', 'No such active invite.');
	}
	await audit(db, locals.user!.id, 'swarm.token.revoke', swarm.id, { tokenId: params.tokenId });
	return json({ revoked: true });
};
