import { z } from 'zod';

/**
 * How a chat message and its author travel on the room's socket (chat channel versions 2 and 3): compact, since
 * a message frame goes to every socket of the room and most of what a room sends is message frames.
 *
 * - A message is a positional array. A new one (never edited, deleted or reacted to — every live `message`
 *   event) is `[seq, rev, id, author, text, createdAt]`; any other state appends
 *   `[editedAt | null, deleted 0/1, [[emoji, [userId, …]], …]]`.
 * - Its author is a number the room gives each (user id, name, avatar) it has seen, described once as
 *   `[n, userId, name, avatarKey | null]`: in the presence a socket gets on join (everyone online), in
 *   every history page (the authors of its messages), and in an `authors` frame before a message whose
 *   author is not online (one posted over REST). A client keeps every description it got, so it can name
 *   the author of each message it holds; a rename is a new number, as each message shows the name it was
 *   posted under.
 *
 * The schemas decode these into objects (`ChatEntry`, `ChatAuthor`): the server sends the wire form
 * (the schema's input type), the client reads the decoded one (its output type).
 */

/** A room's author number: 1, 2, 3, … in the order the room first saw each (user, name, avatar). */
export const authorNumberSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const chatAuthorSchema = z
	.tuple([authorNumberSchema, z.string(), z.string(), z.string().nullable()])
	.transform(([n, id, name, avatarKey]) => ({ n, user: { id, name, avatarKey } }));
export type ChatAuthor = z.output<typeof chatAuthorSchema>;
export type ChatAuthorWire = z.input<typeof chatAuthorSchema>;

const head = [seq, seq, z.string(), authorNumberSchema, z.string(), z.number()] as const;
const reactionWire = z.tuple([z.string(), z.array(z.string())]);

export const chatEntrySchema = z
	.union([
		z.tuple(head),
		z.tuple([...head, z.number().nullable(), z.union([z.literal(0), z.literal(1)]), z.array(reactionWire)])
	])
	.transform((wire) => {
		const [seq, rev, id, author, text, createdAt] = wire;
		const rest = wire.length === 9 ? wire : null;
		return {
			seq,
			rev,
			id,
			author,
			text,
			createdAt,
			editedAt: rest ? rest[6] : null,
			deleted: rest ? rest[7] === 1 : false,
			reactions: rest ? rest[8].map(([emoji, users]) => ({ emoji, users })) : []
		};
	});
/** A message as the socket carries it: like ChatMessage, with its author as the room's author number. */
export type ChatEntry = z.output<typeof chatEntrySchema>;
export type ChatEntryWire = z.input<typeof chatEntrySchema>;

/** What the wire form is made from: a stored message's fields (ChatMessage without its user). */
export interface EntryFields {
	seq: number;
	rev: number;
	id: string;
	text: string;
	createdAt: number;
	editedAt: number | null;
	deleted: boolean;
	reactions: readonly { emoji: string; users: readonly string[] }[];
}

/** The wire form of a message by author `author`: the short form whenever nothing but the post happened. */
export function entryWire(message: EntryFields, author: number): ChatEntryWire {
	const { seq, rev, id, text, createdAt, editedAt, deleted, reactions } = message;
	if (editedAt === null && !deleted && reactions.length === 0) return [seq, rev, id, author, text, createdAt];
	return [
		seq,
		rev,
		id,
		author,
		text,
		createdAt,
		editedAt,
		deleted ? 1 : 0,
		reactions.map((r) => [r.emoji, [...r.users]] as [string, string[]])
	];
}

export function authorWire(n: number, user: { id: string; name: string; avatarKey: string | null }): ChatAuthorWire {
	return [n, user.id, user.name, user.avatarKey];
}
