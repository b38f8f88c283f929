import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { chatMemberships, users } from '$lib/server/db/schema';

/**
 * The members of a room among `usernames` (lower-case, as accounts store them), by username: whom an
 * @mention reaches. Names of people outside the room resolve to nobody. A Map, since any valid username
 * (`constructor`, `__proto__`) may be a key.
 */
export async function membersByUsername(
	db: Db,
	roomId: string,
	usernames: readonly string[]
): Promise<Map<string, string>> {
	if (usernames.length === 0) return new Map();
	const rows = await db
		.select({ id: users.id, username: users.username })
		.from(chatMemberships)
		.innerJoin(users, eq(users.id, chatMemberships.userId))
		.where(and(eq(chatMemberships.roomId, roomId), inArray(users.username, [...usernames])));
	return new Map(rows.map((r) => [r.username, r.id]));
}
