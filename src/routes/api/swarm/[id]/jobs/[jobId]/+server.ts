import { z } from 'zod';
import { apiError } from '$lib/server/api-error';
import { coordinator } from '$lib/server/swarm/directory';
import { jsonBody, ownedSwarmRequest, rpcResponse } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

const jobId = z.string().regex(/^[a-f0-9]{16}$/);
const controlRequest = z.strictObject({ action: z.enum(['pause', 'resume', 'cancel']) });

/** A custom job's compiled module, input and accepted results: the dashboard merges them for the download. */
export const GET: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, swarm } = owned;
	const { params } = event;
	if (!jobId.safeParse(params.jobId).success) return apiError(404, 'not-found', 'No such custom job.');
	return rpcResponse(await coordinator(env, swarm.id).jobOutput(params.jobId));
};

/** Pause, resume or cancel a job: `{ "action": "pause" | "resume" | "cancel" }`. Owner only. */
export const POST: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, swarm } = owned;
	const { request, params } = event;
	if (!jobId.safeParse(params.jobId).success) return apiError(404, 'not-found', 'No such job.');
	const body = await jsonBody(request, 'the action');
	if (!body.ok) return body.response;
	const parsed = controlRequest.safeParse(body.value);
	if (!parsed.success) return apiError(400, 'bad-request', 'Send { "action": "pause" | "resume" | "cancel" }.');
	return rpcResponse(await coordinator(env, swarm.id).controlJob(params.jobId, parsed.data.action));
};
