import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin, jsonBody, noSuchSwarm, rpcResponse } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, platform, locals }) => {
	const env = platform!.env;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	return json(await coordinator(env, swarm.id).jobs());
};

/** Submits a job (validated again by the coordinator against the shared zod schema). Owner only. */
export const POST: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	const body = await jsonBody(request, 'the job');
	if (!body.ok) return body.response;
	return rpcResponse(await coordinator(env, swarm.id).submitJob(body.value), 201);
};
