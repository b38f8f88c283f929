import { json } from '@sveltejs/kit';
import { CUSTOM_JOB_BODY_MAX_BYTES, customJobRequest } from '$lib/protocol/swarm-jobs';
import { apiError } from '$lib/server/api-error';
import { coordinator } from '$lib/server/swarm/directory';
import { jsonBody, ownedSwarmRequest, rpcResponse } from '$lib/server/swarm/http';
import { compileJob, TranspilerUnavailable, unavailableResponse } from '$lib/server/swarm/transpile';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, swarm } = owned;
	return json(await coordinator(env, swarm.id).jobs());
};

/**
 * Submits a job, owner only. A built-in spec goes to the coordinator as it is (validated there against the
 * shared zod schema). A custom job (customJobRequest: source, input, the chunks split() made on the
 * dashboard, k) is bounded here, compiled with compileJob (the transpiler's KV cache makes the editor's
 * earlier Check the only real transpile), and the coordinator stores the compiled module with the job.
 */
export const POST: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, swarm } = owned;
	const { request } = event;
	const body = await jsonBody(request, 'the job', { maxBytes: CUSTOM_JOB_BODY_MAX_BYTES });
	if (!body.ok) return body.response;
	const stub = coordinator(env, swarm.id);
	if (!isCustom(body.value)) return rpcResponse(await stub.submitJob(body.value), 201);

	const parsed = customJobRequest.safeParse(body.value);
	if (!parsed.success) return apiError(400, 'bad-job', parsed.error.issues[0]?.message ?? 'Bad job.');
	const { source, ...job } = parsed.data;
	try {
		const compiled = await compileJob(env, source);
		if (!compiled.ok) {
			const [first] = compiled.errors;
			const where = first && first.line > 0 ? `line ${first.line}, column ${first.column}: ` : '';
			return apiError(400, 'compile-error', `The job does not compile: ${where}${first?.message ?? 'unknown error'}`);
		}
		return rpcResponse(await stub.submitJob({ ...job, code: compiled.code }), 201);
	} catch (error) {
		if (error instanceof TranspilerUnavailable) return unavailableResponse(error);
		throw error;
	}
};

function isCustom(value: unknown): boolean {
	return (
		typeof value === 'object' &&
		value !== null &&
		Object.hasOwn(value, 'kind') &&
		(value as { kind: unknown }).kind === 'custom'
	);
}
