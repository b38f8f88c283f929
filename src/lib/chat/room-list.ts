import type { RoomActivity } from '$lib/protocol/chat-inbox';
import { CHAT_UNREAD_COUNT_MAX } from '$lib/protocol/chat-unread-limits';

export interface ListedRoom {
	id: string;
	name: string;
	isPrivate: boolean;
}

/**
 * The person's rooms with their activity, latest activity first (a room without messages goes after
 * every room with one), then by name — so a message in a room moves it to the top. A Map lookup, since
 * room ids are not to index plain objects.
 */
export function byActivity<R extends ListedRoom>(
	rooms: readonly R[],
	activity: ReadonlyMap<string, RoomActivity>
): (R & { activity: RoomActivity | null })[] {
	return rooms
		.map((room) => ({ ...room, activity: activity.get(room.id) ?? null }))
		.sort(
			(a, b) =>
				(b.activity?.lastAt ?? -1) - (a.activity?.lastAt ?? -1) ||
				a.name.localeCompare(b.name) ||
				a.id.localeCompare(b.id)
		);
}

/** A badge's number: counts stop at CHAT_UNREAD_COUNT_MAX, shown as "999+". */
export function countLabel(n: number): string {
	return n >= CHAT_UNREAD_COUNT_MAX ? `${CHAT_UNREAD_COUNT_MAX}+` : String(n);
}
