import { error, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { ownedSwarm } from '$lib/server/swarm/directory';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params, platform }) => {
	if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
	const swarm = await ownedSwarm(getDb(platform!.env), params.id, locals.user.id);
	if (!swarm) error(404, 'No such swarm.');
	return { swarm: { id: swarm.id, name: swarm.name } };
};
