import { json } from '@sveltejs/kit';
import { memberQuerySchema } from '$lib/protocol/chat-members';
import { apiError } from '$lib/server/api-error';
import { apiUser, memberOrError } from '$lib/server/chat/access';
import { suggestMembers } from '$lib/server/chat/members';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

/** GET /api/members?room=<id>&q=<prefix> → { members } (see $lib/protocol/chat-members). */
export const GET: RequestHandler = async ({ url, platform, locals }) => {
	const user = apiUser(locals);
	if (user instanceof Response) return user;
	const parsed = memberQuerySchema.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) return apiError(400, 'bad-request', parsed.error.issues[0]?.message ?? 'Bad query.');
	const { room, q } = parsed.data;
	const db = getDb(platform!.env);
	const denied = await memberOrError(db, room, user.id);
	if (denied) return denied;
	return json({ members: await suggestMembers(db, room, q, user.id) });
};
