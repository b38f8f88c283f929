import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import { audit, coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin, noSuchSwarm } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** The owner disconnects one device: its socket closes and its credential stops working. */
export const DELETE: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const db = getDb(env);
	const swarm = await ownedSwarm(db, params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	if (!(await coordinator(env, swarm.id).revokeDevice(params.deviceId))) {
		return apiError(404, 'not-found', 'No such active device.');
	}
	await audit(db, locals.user!.id, 'swarm.device.revoke', swarm.id, { deviceId: params.deviceId });
	return json({ revoked: true });
};
