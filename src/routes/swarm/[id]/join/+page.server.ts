import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { DEVICE_COOKIE } from '$lib/server/swarm/device-cookie';
import { findSwarm } from '$lib/server/swarm/directory';
import type { PageServerLoad } from './$types';

/** Public: anyone with the link sees the swarm's name; the token in the URL fragment never reaches us. */
export const load: PageServerLoad = async ({ params, platform, cookies }) => {
	const swarm = await findSwarm(getDb(platform!.env), params.id);
	if (!swarm) error(404, 'No such swarm.');
	return { swarm: { id: swarm.id, name: swarm.name }, enrolled: Boolean(cookies.get(DEVICE_COOKIE)) };
};
