import { json } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { compileRequest, JOB_SOURCE_BODY_MAX_BYTES, type CompileAnswer } from '$lib/protocol/job-compile';
import { jsonBody, ownedSwarmRequest } from '$lib/server/swarm/http';
import { compileJob, TranspilerUnavailable, unavailableResponse } from '$lib/server/swarm/transpile';
import type { RequestHandler } from './$types';

/**
 * The job editor's "Check": compiles the owner's job module and answers its errors (or that it is
 * fine) as data, before anything is submitted. Owner only, with the Origin check of every state-changing
 * swarm route (it spends the transpiler's CPU); 503 when the transpiler is unavailable.
 */
export const POST: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env } = owned;
	const { request } = event;
	const raw = await jsonBody(request, 'the job module', { maxBytes: JOB_SOURCE_BODY_MAX_BYTES });
	if (!raw.ok) return raw.response;
	const body = compileRequest.safeParse(raw.value);
	if (!body.success) return apiError(400, 'bad-request', 'Send { "source": "<the job module>" }.');
	try {
		const result = await compileJob(env, body.data.source);
		const answer: CompileAnswer = result.ok
			? {
					ok: true,
					key: result.key,
					cached: result.cached,
					bytes: new TextEncoder().encode(result.code).byteLength,
					code: result.code
				}
			: { ok: false, errors: result.errors };
		return json(answer);
	} catch (error) {
		if (error instanceof TranspilerUnavailable) return unavailableResponse(error);
		throw error;
	}
};
