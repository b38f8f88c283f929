import { z } from 'zod';
import { cursorEvent, seqSchema } from './chat';

/**
 * One room as the person's room list shows it: the newest live message (sender and a cut, plain-text
 * preview) and when it was posted, which orders the list, and the person's cursor with their unread and
 * mention counts. Read by the room itself (ChatRoom.summary), so the counts are exact; `at` is when it was
 * read, so of two summaries of one room the later one wins whatever order they arrive in.
 */
export const roomActivitySchema = z.object({
	roomId: z.string(),
	lastSeq: seqSchema,
	lastAt: z.number().nullable(),
	last: z.object({ name: z.string(), text: z.string() }).nullable(),
	cursor: cursorEvent,
	at: z.number()
});
export type RoomActivity = z.infer<typeof roomActivitySchema>;
