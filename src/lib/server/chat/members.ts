import { and, asc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { MEMBER_SUGGESTIONS_MAX, type MemberSuggestion } from '$lib/protocol/chat-members';
import type { Db } from '$lib/server/db';
import { chatMemberships, users } from '$lib/server/db/schema';

/** LIKE treats "_" (a username character) and "%" as wildcards: match them literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Members of `roomId` to suggest for "@prefix": username or a display-name word starting with it (SQLite's
 * LIKE ignores ASCII case), the asker left out, ordered by username. The room's rows come from the
 * membership primary key (room first); `limit` keeps the answer one small page whatever the room's size.
 */
export async function suggestMembers(
	db: Db,
	roomId: string,
	prefix: string,
	askerId: string,
	limit = MEMBER_SUGGESTIONS_MAX
): Promise<MemberSuggestion[]> {
	const starts = likePrefix(prefix);
	return db
		.select({ id: users.id, username: users.username, name: users.displayName, avatarKey: users.avatarKey })
		.from(chatMemberships)
		.innerJoin(users, eq(users.id, chatMemberships.userId))
		.where(
			and(
				eq(chatMemberships.roomId, roomId),
				ne(users.id, askerId),
				or(
					sql`${users.username} LIKE ${starts} ESCAPE '\\'`,
					sql`${users.displayName} LIKE ${starts} ESCAPE '\\'`,
					sql`${users.displayName} LIKE ${`% ${starts}`} ESCAPE '\\'`
				)
			)
		)
		.orderBy(asc(users.username))
		.limit(limit);
}

/** Those of `ids` who are members of `roomId` (the caller bounds `ids`; see MEMBER_IDS_MAX). */
export async function membersByIds(db: Db, roomId: string, ids: string[]): Promise<MemberSuggestion[]> {
	if (ids.length === 0) return [];
	return db
		.select({ id: users.id, username: users.username, name: users.displayName, avatarKey: users.avatarKey })
		.from(chatMemberships)
		.innerJoin(users, eq(users.id, chatMemberships.userId))
		.where(and(eq(chatMemberships.roomId, roomId), inArray(chatMemberships.userId, ids)))
		.orderBy(asc(users.username));
}
