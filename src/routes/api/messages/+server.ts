import { json } from '@sveltejs/kit';
import { restHistoryQuery, restSendSchema } from '$lib/protocol/chat';
import { apiUser, chatRoomStub, chatUser, memberOrError, readChatJson, resultError } from '$lib/server/chat/access';
import { apiError } from '$lib/server/api-error';
import { roomAccess } from '$lib/server/chat/rooms';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

/**
 * REST for bots and integrations, with the session cookie as credentials. Everything goes to the room's
 * ChatRoom object over RPC, so a REST send is stored, numbered, rate-limited and broadcast exactly like
 * a socket send.
 *
 * GET /api/messages?room=<id>&before=<seq>&limit=<n> → { messages, hasMore, rev } (ascending seq)
 */
export const GET: RequestHandler = async ({ url, platform, locals }) => {
	const user = apiUser(locals);
	if (user instanceof Response) return user;
	const parsed = restHistoryQuery.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) return apiError(400, 'bad-request', parsed.error.issues[0]?.message ?? 'Bad query.');
	const { room, before, limit } = parsed.data;
	const env = platform!.env;
	// Members and, for public rooms, anyone signed in may read.
	if (!(await roomAccess(getDb(env), room, user.id))) return apiError(404, 'not-found', 'No such room.');
	return json(await chatRoomStub(env, room).historyPage(before, limit));
};

/** POST /api/messages { room, text, id? } → 201 { message } (200 with duplicate: true for a repeated id). */
export const POST: RequestHandler = async ({ request, platform, locals }) => {
	const user = apiUser(locals);
	if (user instanceof Response) return user;
	const body = await readChatJson(request);
	if (body instanceof Response) return body;
	const parsed = restSendSchema.safeParse(body);
	if (!parsed.success) return apiError(400, 'bad-request', parsed.error.issues[0]?.message ?? 'Bad message.');
	const { room, text, id = crypto.randomUUID() } = parsed.data;
	const env = platform!.env;
	const denied = await memberOrError(getDb(env), room, user.id);
	if (denied) return denied;
	const result = await chatRoomStub(env, room).postMessage(chatUser(user), id, text, room);
	if (!result.ok) return resultError(result);
	return json({ message: result.message, duplicate: result.duplicate }, { status: result.duplicate ? 200 : 201 });
};
