import { z } from 'zod';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import { coordinator, ownedSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin, jsonBody, noSuchSwarm, rpcResponse } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

const jobId = z.string().regex(/^[a-f0-9]{16}$/);
const controlRequest = z.strictObject({ action: z.enum(['pause', 'resume', 'cancel']) });

/** A custom job's compiled module, input and accepted results: the dashboard merges them for the download. */
export const GET: RequestHandler = async ({ params, platform, locals }) => {
	const env = platform!.env;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	if (!jobId.safeParse(params.jobId).success) return apiError(404, 'not-found', 'No such custom job.');
	return rpcResponse(await coordinator(env, swarm.id).jobOutput(params.jobId));
};

/** Pause, resume or cancel a job: `{ "action": "pause" | "resume" | "cancel" }`. Owner only. */
export const POST: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const swarm = await ownedSwarm(getDb(env), params.id, locals.user?.id);
	if (!swarm) return noSuchSwarm();
	if (!jobId.safeParse(params.jobId).success) return apiError(404, 'not-found', 'No such job.');
	const body = await jsonBody(request, 'the action');
	if (!body.ok) return body.response;
	const parsed = controlRequest.safeParse(body.value);
	if (!parsed.success) return apiError(400, 'bad-request', 'Send { "action": "pause" | "resume" | "cancel" }.');
	return rpcResponse(await coordinator(env, swarm.id).controlJob(params.jobId, parsed.data.action));
};
