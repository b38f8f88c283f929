import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { publicOrigin } from '$lib/server/public-origin';
import { ownedSwarm } from '$lib/server/swarm/directory';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params, platform }) => {
	if (!locals.user) signInFirst(url);
	const swarm = await ownedSwarm(getDb(platform!.env), params.id, locals.user.id);
	if (!swarm) error(404, 'No such swarm.');
	// Join links and QR codes are for other devices: they use PUBLIC_ORIGIN when set (public-origin.ts).
	return { swarm: { id: swarm.id, name: swarm.name }, joinOrigin: publicOrigin(platform!.env, url) };
};
