import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { audit, coordinator } from '$lib/server/swarm/directory';
import { ownedSwarmRequest } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** The owner disconnects one device: its socket closes and its credential stops working. */
export const DELETE: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, db, swarm } = owned;
	const { params, locals } = event;
	if (!(await coordinator(env, swarm.id).revokeDevice(params.deviceId))) {
		return apiError(404, 'not-found', 'No such active device.');
	}
	await audit(db, locals.user!.id, 'swarm.device.revoke', swarm.id, { deviceId: params.deviceId });
	return json({ revoked: true });
};
