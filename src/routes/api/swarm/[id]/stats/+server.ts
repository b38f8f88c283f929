import { json } from '@sveltejs/kit';
import { coordinator } from '$lib/server/swarm/directory';
import { ownedSwarmRequest } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** Coordinator counters (handler invocations by kind, assignments, broadcasts) for the owner and the bench. */
export const GET: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, swarm } = owned;
	return json(await coordinator(env, swarm.id).stats());
};
