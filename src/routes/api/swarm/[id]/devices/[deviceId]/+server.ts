import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { audit, coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** The owner revokes one device: its socket closes and its credential stops working. */
export const DELETE: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const db = getDb(env);
	const swarm = await ownedSwarm(db, params.id, locals.user?.id);
	if (!(await coordinator(env, swarm.id).revokeDevice(params.deviceId))) {
		return json({ error: 'No such active device.' }, { status: 404 });
	}
	await audit(db, locals.user!.id, 'swarm.device.revoke', swarm.id, { deviceId: params.deviceId });
	return json({ revoked: true });
};
