import { signInFirst } from '$lib/server/auth/sign-in-first';
import { searchMessages, searchQuerySchema, snippetParts } from '$lib/server/chat/search/search-messages';
import type { PageServerLoad } from './$types';

/**
 * /chat/search?q=…&before=…: messages in the rooms this person may read (searchMessages decides that in
 * D1), newest first, a page at a time. A refused query (too long, unreadable) is shown on the page with
 * what to write instead; it is never an error page.
 */
export const load: PageServerLoad = async ({ locals, url, platform }) => {
	if (!locals.user) signInFirst(url);
	const raw = url.searchParams.get('q') ?? '';
	const parsed = searchQuerySchema.safeParse({
		q: raw,
		before: url.searchParams.get('before') ?? undefined
	});
	if (!parsed.success)
		return { q: raw, error: parsed.error.issues[0]?.message ?? 'That search is not valid.', hits: [], next: null };
	const { q, before } = parsed.data;
	if (!q) return { q, error: null, hits: [], next: null };
	const result = await searchMessages(platform!.env.DB, locals.user.id, q, before);
	if (!result.ok) return { q, error: result.message, hits: [], next: null };
	return {
		q,
		error: null,
		// The snippet as text parts: the page renders each as text, hits in <mark>, never as HTML.
		hits: result.hits.map(({ snippet, ...hit }) => ({ ...hit, parts: snippetParts(snippet) })),
		next: result.next,
		paged: before !== undefined
	};
};
