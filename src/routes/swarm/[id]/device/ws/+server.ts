import { json } from '@sveltejs/kit';
import { isAllowedOrigin } from '$lib/server/realtime/origin';
import { forwardUpgrade } from '$lib/server/realtime/upgrade';
import { DEVICE_COOKIE } from '$lib/server/swarm/device-cookie';
import { getDb } from '$lib/server/db';
import { coordinator, findSwarm } from '$lib/server/swarm/directory';
import type { RequestHandler } from './$types';

/**
 * A device's socket. Devices have no account: the HttpOnly device cookie carries an HMAC credential that
 * the swarm's coordinator verifies (signature, device not left/revoked, invite not revoked) before the
 * upgrade is forwarded with a `device` identity. The swarm must exist in D1 first, so a random id never
 * creates a coordinator (and its storage).
 */
export const GET: RequestHandler = async ({ request, params, platform, cookies }) => {
	const env = platform!.env;
	if (!(await findSwarm(getDb(env), params.id))) return json({ error: 'No such swarm.' }, { status: 404 });
	const credential = cookies.get(DEVICE_COOKIE);
	const isUpgrade = request.headers.get('upgrade')?.toLowerCase() === 'websocket';
	let identity = null;
	// Only wake the coordinator for requests forwardUpgrade would otherwise accept.
	if (credential && isUpgrade && isAllowedOrigin(request, env.ALLOWED_ORIGINS)) {
		const device = await coordinator(env, params.id).authenticateDevice(credential);
		if (device) identity = { kind: 'device' as const, id: device.deviceId, name: device.name };
	}
	return forwardUpgrade(request, env, env.SWARM_COORDINATOR, params.id, identity);
};
