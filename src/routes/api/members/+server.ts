import { json } from '@sveltejs/kit';
import { memberQuerySchema } from '$lib/protocol/chat-members';
import { apiError } from '$lib/server/api-error';
import { apiUser, memberOrError } from '$lib/server/chat/access';
import { membersByIds, suggestMembers } from '$lib/server/chat/members';
import { getDb } from '$lib/server/db';
import type { RequestHandler } from './$types';

/** GET /api/members?room=<id>&q=<prefix> or ?room=<id>&ids=<a>,<b> → { members } (see $lib/protocol/chat-members). */
export const GET: RequestHandler = async ({ url, platform, locals }) => {
	const user = apiUser(locals);
	if (user instanceof Response) return user;
	const parsed = memberQuerySchema.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) return apiError(400, 'bad-request', parsed.error.issues[0]?.message ?? 'Bad query.');
	const { room, q, ids } = parsed.data;
	const db = getDb(platform!.env);
	const denied = await memberOrError(db, room, user.id);
	if (denied) return denied;
	const members = ids ? await membersByIds(db, room, ids) : await suggestMembers(db, room, q, user.id);
	return json({ members });
};
