import { chatIdentity } from '$lib/server/chat/access';
import { roomAccess } from '$lib/server/chat/rooms';
import { getDb } from '$lib/server/db';
import { forwardUpgrade } from '$lib/server/realtime/upgrade';
import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** A room's socket: members only. `?since=<rev>` resumes after a reconnect (read by the ChatRoom). */
export const GET: RequestHandler = async ({ request, params, platform, locals }) => {
	const env = platform!.env;
	if (locals.user && request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
		const access = await roomAccess(getDb(env), params.room, locals.user.id);
		if (!access) return json({ error: 'No such room.' }, { status: 404 });
		if (!access.member) return json({ error: 'Join the room first.' }, { status: 403 });
	}
	const identity = locals.user ? chatIdentity(locals.user) : null;
	return forwardUpgrade(request, env, env.CHAT_ROOM, params.room, identity);
};
