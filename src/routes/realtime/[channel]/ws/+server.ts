import { forwardUpgrade } from '$lib/server/realtime/upgrade';
import type { RequestHandler } from './$types';

/** Smoke-test relay: signed-in users on the same channel see each other's messages. */
export const GET: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	const identity = locals.user ? { kind: 'user' as const, id: locals.user.id, name: locals.user.displayName } : null;
	return forwardUpgrade(request, env, env.RELAY_ROOM, params.channel, identity);
};
