import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { clearDeviceCookie, DEVICE_COOKIE } from '$lib/server/swarm/device-cookie';
import { getDb } from '$lib/server/db';
import { coordinator, findSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin } from '$lib/server/foreign-origin';
import { noSuchSwarm } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** The device leaves: its credential stops working, its chunks go to others, the cookie is cleared. */
export const POST: RequestHandler = async ({ request, params, platform, cookies }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	// Checked in D1 first, so a random id never creates a coordinator (and its storage).
	if (!(await findSwarm(getDb(env), params.id))) return noSuchSwarm();
	const credential = cookies.get(DEVICE_COOKIE);
	const stub = coordinator(env, params.id);
	const device = credential ? await stub.authenticateDevice(credential) : null;
	clearDeviceCookie(cookies, params.id);
	if (!device) return apiError(401, 'unauthenticated', 'This browser is not a device of that swarm.');
	await stub.leave(device.deviceId);
	return json({ left: true });
};
