import { json, type RequestEvent } from '@sveltejs/kit';
import { apiError } from '$lib/server/api-error';
import { getDb, type Db } from '$lib/server/db';
import type { Swarm } from '$lib/server/db/schema';
import { foreignOrigin } from '$lib/server/foreign-origin';
import { readJsonBody } from '$lib/server/read-json-body';
import { ownedSwarm } from './directory';
import type { RpcResult } from './tokens';

/** Swarm API bodies are small (a job spec, an invite's max uses, a join request): 4 KiB is plenty. */
export const SWARM_BODY_MAX_BYTES = 4096;

/** Turns a coordinator RPC result into a JSON response; refusals in the one error shape (apiError). */
export function rpcResponse<T>(result: RpcResult<T>, okStatus = 200): Response {
	if (result.ok) return json(result.value, { status: okStatus });
	return apiError(result.status, result.code, result.message, { retryAfterMs: result.retryAfterMs });
}

/** The swarm is not in D1, or not the caller's: the same 404 either way, so others' ids are not confirmed. */
export function noSuchSwarm(): Response {
	return apiError(404, 'not-found', 'No such swarm.');
}

/** What an owner-only swarm route works with, once ownedSwarmRequest let the request through. */
export interface OwnedSwarmRequest {
	env: Env;
	db: Db;
	swarm: Swarm;
}

/**
 * The prologue of every owner-only swarm API route: a request that changes something (anything but GET
 * and HEAD) must come from our origin, then the swarm must exist and be the caller's — otherwise the
 * response to answer (403 origin, or the one 404 of noSuchSwarm).
 */
export async function ownedSwarmRequest(event: RequestEvent): Promise<OwnedSwarmRequest | Response> {
	const env = event.platform!.env;
	if (event.request.method !== 'GET' && event.request.method !== 'HEAD') {
		const refused = foreignOrigin(event.request, env);
		if (refused) return refused;
	}
	const db = getDb(env);
	const swarm = await ownedSwarm(db, event.params.id!, event.locals.user?.id);
	return swarm ? { env, db, swarm } : noSuchSwarm();
}

/**
 * The request's JSON body (capped at `maxBytes`, SWARM_BODY_MAX_BYTES unless a route carries more, such
 * as a job module's source), or the error response to answer: 413 when too large, 400 when not JSON.
 * With `optional`, no body at all reads as `{}`.
 */
export async function jsonBody(
	request: Request,
	what: string,
	{ optional = false, maxBytes = SWARM_BODY_MAX_BYTES } = {}
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
	if (optional && !request.body) return { ok: true, value: {} };
	const body = await readJsonBody(request, maxBytes);
	if (body.ok) return body;
	return {
		ok: false,
		response:
			body.reason === 'too-large'
				? apiError(413, 'too-large', `Send ${what} in at most ${Math.floor(maxBytes / 1024)} KiB of JSON.`)
				: apiError(400, 'bad-json', `Send ${what} as JSON.`)
	};
}
