import { json } from '@sveltejs/kit';
import { messageIdSchema, restReactSchema } from '$lib/protocol/chat';
import { apiUser, chatRoomStub, chatUser, memberOrError, readChatJson, resultError } from '$lib/server/chat/access';
import { apiError } from '$lib/server/api-error';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

/**
 * PUT /api/messages/:id/react { room, emoji, on? } → { message }. With `on` the call sets the reaction
 * (safe to repeat); without it, it toggles like a click in the UI. Broadcast live to the room.
 */
export const PUT: RequestHandler = async ({ request, params, platform, locals }) => {
	const user = apiUser(locals);
	if (user instanceof Response) return user;
	if (!messageIdSchema.safeParse(params.id).success) return apiError(400, 'bad-request', 'Bad message id.');
	const body = await readChatJson(request);
	if (body instanceof Response) return body;
	const parsed = restReactSchema.safeParse(body);
	if (!parsed.success) return apiError(400, 'bad-request', parsed.error.issues[0]?.message ?? 'Bad reaction.');
	const { room, emoji, on } = parsed.data;
	const env = platform!.env;
	const denied = await memberOrError(getDb(env), room, user.id);
	if (denied) return denied;
	const result = await chatRoomStub(env, room).react(chatUser(user), params.id, emoji, on);
	if (!result.ok) return resultError(result);
	return json({ message: result.message });
};
