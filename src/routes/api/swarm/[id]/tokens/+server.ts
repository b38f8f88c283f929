import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { apiError } from '$lib/server/api-error';
import { audit, coordinator } from '$lib/server/swarm/directory';
import { jsonBody, ownedSwarmRequest, rpcResponse } from '$lib/server/swarm/http';
import { TOKEN_MAX_USES } from '$lib/server/swarm/tokens';
import type { RequestHandler } from './$types';

const createTokenBody = z.object({ maxUses: z.number().int().min(1).max(TOKEN_MAX_USES).nullable().default(null) });

/** The owner's invites (hashes never leave the coordinator; only ids, times and use counts). */
export const GET: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, swarm } = owned;
	return json(await coordinator(env, swarm.id).listTokens());
};

/** Creates an invite; the raw token is returned once, only here. 429 with Retry-After past 5 a minute. */
export const POST: RequestHandler = async (event) => {
	const owned = await ownedSwarmRequest(event);
	if (owned instanceof Response) return owned;
	const { env, db, swarm } = owned;
	const { request, locals } = event;
	const raw = await jsonBody(request, 'the invite options', { optional: true });
	if (!raw.ok) return raw.response;
	const body = createTokenBody.safeParse(raw.value);
	if (!body.success) return apiError(400, 'bad-request', body.error.issues[0]?.message ?? 'Bad request.');
	const result = await coordinator(env, swarm.id).createToken(body.data.maxUses);
	if (result.ok) await audit(db, locals.user!.id, 'swarm.token.create', swarm.id, { tokenId: result.value.id });
	return rpcResponse(result, 201);
};
