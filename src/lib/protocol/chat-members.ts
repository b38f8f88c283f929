import { z } from 'zod';

/**
 * GET /api/members?room=<id>&q=<prefix>: the members of a room whose username, or a word of whose
 * display name, starts with `q` — the composer's @mention suggestions. Members only (it is their
 * composer); at most MEMBER_SUGGESTIONS_MAX answers, so a room of any size costs one small page per query.
 *
 * GET /api/members?room=<id>&ids=<id>,<id>…: those of the given users who are members — the names behind
 * a reaction's user ids ("who reacted"), at most MEMBER_IDS_MAX per request.
 */

/** One screen of suggestions, as other chat apps show. */
export const MEMBER_SUGGESTIONS_MAX = 8;

/** `q` is what follows the "@", so only username characters (mentions.ts) and at most a username's length. */
/** Names asked at once: the first ones a who-reacted list shows ("Ada, Bo and 40 others"). */
export const MEMBER_IDS_MAX = 20;

export const memberQuerySchema = z.object({
	room: z.string().min(1).max(64),
	ids: z
		.string()
		.max(MEMBER_IDS_MAX * 65)
		.transform((s) => [...new Set(s.split(','))])
		.pipe(
			z
				.array(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'ids are user ids, separated by commas.'))
				.max(MEMBER_IDS_MAX, `At most ${MEMBER_IDS_MAX} ids at once.`)
		)
		.optional(),
	q: z
		.string()
		.regex(/^[A-Za-z0-9_-]{0,32}$/, 'q is at most 32 letters, digits, "_" or "-" (what follows an @).')
		.default('')
});

export const memberSuggestionSchema = z.object({
	id: z.string(),
	username: z.string(),
	name: z.string(),
	avatarKey: z.string().nullable()
});
export type MemberSuggestion = z.infer<typeof memberSuggestionSchema>;

export const memberSuggestionsSchema = z.object({
	members: z.array(memberSuggestionSchema).max(Math.max(MEMBER_SUGGESTIONS_MAX, MEMBER_IDS_MAX))
});
