import { json } from '@sveltejs/kit';
import { joinRequest } from '$lib/protocol/swarm';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import { setDeviceCookie } from '$lib/server/swarm/device-cookie';
import { audit, coordinator, findSwarm } from '$lib/server/swarm/directory';
import { foreignOrigin } from '$lib/server/foreign-origin';
import { jsonBody, noSuchSwarm, rpcResponse } from '$lib/server/swarm/http';
import type { RequestHandler } from './$types';

/** Redeems an invite (no account needed): sets the device cookie and returns the device id. */
export const POST: RequestHandler = async ({ request, params, platform, cookies, url }) => {
	const env = platform!.env;
	const refused = foreignOrigin(request, env);
	if (refused) return refused;
	const db = getDb(env);
	const swarm = await findSwarm(db, params.id);
	if (!swarm) return noSuchSwarm();
	const raw = await jsonBody(request, 'the join request');
	if (!raw.ok) return raw.response;
	const body = joinRequest.safeParse(raw.value);
	if (!body.success) return apiError(400, 'bad-request', body.error.issues[0]?.message ?? 'Bad join request.');
	const result = await coordinator(env, swarm.id).join(body.data.token, body.data.capabilities);
	if (!result.ok) return rpcResponse(result);
	setDeviceCookie(cookies, url, swarm.id, result.value.credential);
	await audit(db, null, 'swarm.device.join', swarm.id, { deviceId: result.value.deviceId });
	// The credential is also returned for non-browser clients; browsers rely on the HttpOnly cookie.
	return json(
		{ deviceId: result.value.deviceId, name: result.value.name, credential: result.value.credential },
		{ status: 201 }
	);
};
