import type { RoomActivity } from '$lib/protocol/chat-inbox';
import { CHAT_PREVIEW_MAX_CHARS } from '$lib/protocol/chat-unread-limits';
import type { ReadState } from './read-state';

/**
 * One person's summary of a room (RoomActivity), read from the room's own SQLite: the newest live
 * message as a preview, and their cursor with its counts. A few indexed reads, no D1.
 */
export function roomActivity(
	sql: SqlStorage,
	readState: ReadState,
	room: { id: string; lastSeq: number },
	userId: string,
	joinedAt: number,
	now = Date.now()
): RoomActivity {
	const newest = sql
		.exec<{ user_name: string; text: string; created_at: number }>(
			'SELECT user_name, text, created_at FROM messages WHERE deleted_at IS NULL ORDER BY seq DESC LIMIT 1'
		)
		.toArray()[0];
	const cursor = readState.cursor(userId, joinedAt, now);
	return {
		roomId: room.id,
		lastSeq: room.lastSeq,
		lastAt: newest?.created_at ?? null,
		last: newest ? { name: newest.user_name, text: previewText(newest.text) } : null,
		cursor: readState.counts(userId, cursor),
		at: now
	};
}

/**
 * A message as one line of plain text: runs of white space (line breaks too) become one space, and past
 * CHAT_PREVIEW_MAX_CHARS code points it is cut with "…" — never inside a surrogate pair. The page shows it
 * as text (never as HTML), so markup in it is harmless.
 */
export function previewText(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	const points = Array.from(line);
	return points.length <= CHAT_PREVIEW_MAX_CHARS
		? line
		: `${points
				.slice(0, CHAT_PREVIEW_MAX_CHARS - 1)
				.join('')
				.trimEnd()}…`;
}
