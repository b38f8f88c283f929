import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { clearDeviceCookie, DEVICE_COOKIE } from '$lib/server/swarm/device-cookie';
import { coordinator, findSwarm } from '$lib/server/swarm/directory';
import type { DeviceStanding } from '$lib/server/swarm/swarm-coordinator';
import type { PageServerLoad } from './$types';

/**
 * The device page says where this browser stands before any socket opens: a member runs; one that left or
 * was disconnected is told so (a refused socket upgrade tells a browser nothing, it would only retry), and
 * its dead cookie is dropped.
 */
export const load: PageServerLoad = async ({ params, platform, cookies }) => {
	const env = platform!.env;
	const swarm = await findSwarm(getDb(env), params.id);
	if (!swarm) error(404, 'No such swarm.');
	const credential = cookies.get(DEVICE_COOKIE);
	const standing: DeviceStanding | 'none' = credential
		? await coordinator(env, swarm.id).deviceStanding(credential)
		: 'none';
	if (standing !== 'member' && standing !== 'none') clearDeviceCookie(cookies, swarm.id);
	return { swarm: { id: swarm.id, name: swarm.name }, standing };
};
