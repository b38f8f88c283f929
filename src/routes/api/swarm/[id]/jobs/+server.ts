import { json } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin, readJson, rpcResponse } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, platform, locals }) => {
	const env = platform!.env;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	return json(await coordinator(env, swarm.id).jobs());
};

/** Submits a job (validated again by the coordinator against the shared zod schema). Owner only. */
export const POST: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	const body = await readJson(request);
	if (body === null) return json({ error: 'Send the job as JSON (at most 4 KiB).' }, { status: 400 });
	return rpcResponse(await coordinator(env, swarm.id).submitJob(body), 201);
};
