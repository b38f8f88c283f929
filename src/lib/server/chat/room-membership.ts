import { getDb } from '$lib/server/db';
import { roomAccess } from './rooms';

/** What D1's room directory says of one person and this room (rooms.ts `roomAccess`, reduced). */
export type Access = { member: true; joinedAt: number } | { member: false; roomExists: boolean };

/** Whether a socket may open, and if not, the refusal the upgrade route answers with. */
export type Admission =
	{ ok: true; joinedAt: number } | { ok: false; status: 403 | 404; code: 'forbidden' | 'not-found'; message: string };

/**
 * Members the room knows longer than this are asked of D1 again on their next join: a safety net for an
 * invalidation that never arrived (the leave's `removeMember` call failing after D1 already forgot them).
 */
export const MEMBER_CACHE_TTL_MS = 10 * 60_000;
/** People remembered at most; beyond, the longest-known are forgotten (asked of D1 again when they join). */
export const MEMBER_CACHE_MAX = 10_000;

/**
 * Who may open a socket in this room: D1's room directory, asked once per person and then remembered by
 * the room object itself — the one place every join and every leave of this room passes, so the cache can
 * be invalidated exactly (a cache in the worker's isolates could not: there are many, and a leave reaches
 * one). A join of someone the room knows costs no D1 query; `remove` (after a leave) forgets them at
 * once, so their next join is asked of D1 and refused. A D1 answer that was on its way while they were
 * removed is not trusted: it may predate the removal.
 *
 * Only members are remembered, so an outsider's repeated attempts are each answered by D1, as before.
 */
export class RoomMembership {
	private readonly members = new Map<string, { joinedAt: number; until: number }>();
	/** Lookups on their way to D1, by user id; `removed` is set when that person is removed meanwhile. */
	private readonly asking = new Map<string, { removed: boolean }>();

	/** `lookup` asks D1 for this person (only when the room does not know them). */
	async admit(userId: string, lookup: () => Promise<Access>, now = Date.now()): Promise<Admission> {
		const known = this.members.get(userId);
		if (known && known.until > now) return { ok: true, joinedAt: known.joinedAt };
		this.members.delete(userId);
		const ask = { removed: false };
		this.asking.set(userId, ask);
		let access: Access;
		try {
			access = await lookup();
		} finally {
			if (this.asking.get(userId) === ask) this.asking.delete(userId);
		}
		if (!access.member)
			return access.roomExists
				? { ok: false, status: 403, code: 'forbidden', message: 'Join the room first.' }
				: { ok: false, status: 404, code: 'not-found', message: 'No such room.' };
		if (ask.removed) return { ok: false, status: 403, code: 'forbidden', message: 'You left this room.' };
		this.remember(userId, access.joinedAt, now);
		return { ok: true, joinedAt: access.joinedAt };
	}

	/** They left (or were removed): forgotten now, and a lookup on its way for them is not trusted. */
	remove(userId: string) {
		this.members.delete(userId);
		const ask = this.asking.get(userId);
		if (ask) ask.removed = true;
	}

	/** How many people are remembered (for the test that memory stays bounded). */
	get size(): number {
		return this.members.size;
	}

	private remember(userId: string, joinedAt: number, now: number) {
		this.members.set(userId, { joinedAt, until: now + MEMBER_CACHE_TTL_MS });
		if (this.members.size > MEMBER_CACHE_MAX) this.members.delete(this.members.keys().next().value!);
	}
}

/** D1's answer (rooms.ts `roomAccess`) as RoomMembership takes it. */
export async function d1Access(env: Env, roomId: string, userId: string): Promise<Access> {
	const access = await roomAccess(getDb(env), roomId, userId);
	if (!access) return { member: false, roomExists: false };
	if (!access.member) return { member: false, roomExists: true };
	return { member: true, joinedAt: access.joinedAt?.getTime() ?? 0 };
}
