import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { noSuchSwarm } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** Coordinator counters (handler invocations by kind, assignments, broadcasts) for the owner and the bench. */
export const GET: RequestHandler = async ({ params, platform, locals }) => {
	const env = platform!.env;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	return json(await coordinator(env, swarm.id).stats());
};
