import { z } from 'zod';

/** Results per page: a screenful on a phone, and a bounded amount of work per request. */
export const SEARCH_PAGE_SIZE = 20;
/** Longer queries are refused: FTS5 work grows with the terms, and nobody types 200 characters into a search box. */
export const SEARCH_QUERY_MAX_CHARS = 200;
/** Words of context the snippet keeps around the hits (FTS5 snippet()'s token count). */
const SNIPPET_TOKENS = 16;

/**
 * Around each hit, snippet() puts these two markers. They are control characters, which a chat message
 * can never contain (messageTextSchema refuses them), so they cannot be forged by a message; the page
 * splits the snippet on them and renders hits as <mark> text nodes — no HTML from messages is ever parsed.
 */
export const HIT_START = '\u0002';
export const HIT_END = '\u0003';

/** "Older results" cursor: the last result's time and index row, so a page is one indexed range read. */
const cursorSchema = z
	.string()
	.regex(/^\d{1,15}\.\d{1,15}$/)
	.transform((s) => s.split('.').map(Number) as [number, number]);

export const searchQuerySchema = z.object({
	q: z
		.string()
		.trim()
		.max(SEARCH_QUERY_MAX_CHARS, `A search is at most ${SEARCH_QUERY_MAX_CHARS} characters.`)
		.default(''),
	before: cursorSchema.optional()
});

export interface SearchHit {
	roomId: string;
	roomName: string;
	roomPrivate: boolean;
	messageId: string;
	seq: number;
	authorName: string;
	createdAt: number;
	/** The message text around the hits, hits between HIT_START and HIT_END (see snippetParts). */
	snippet: string;
}

export type SearchResult =
	{ ok: true; hits: SearchHit[]; next: string | null } | { ok: false; code: 'bad-query'; message: string };

/** What the user can write: words (all must appear), "exact phrases", OR, NOT, (groups), and word* for a prefix. */
export const SEARCH_SYNTAX_HELP =
	'Search for words (all must appear), "an exact phrase", this OR that, this NOT that, and word* for words starting with it.';

/**
 * Messages matching `query` in the rooms `userId` may read — public rooms and private rooms they are a
 * member of, decided in the same statement from D1's directory, so a private room they are not in never
 * contributes a row — newest first, SEARCH_PAGE_SIZE at a time. A query FTS5 cannot parse comes back as
 * `bad-query` with a message saying what to write, never as an exception.
 */
export async function searchMessages(
	db: D1Database,
	userId: string,
	query: string,
	before?: [number, number]
): Promise<SearchResult> {
	const match = toFtsQuery(query);
	if (!match.ok) return match;
	const [beforeTime, beforeRow] = before ?? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
	try {
		// Two steps: the page is chosen without snippet(), which SQLite would otherwise compute for every
		// match before sorting (a common word matches most messages: 270 ms instead of 50 over 100,000 in
		// bench:search), then snippet() runs for the page's rows only.
		const { results } = await db
			.prepare(
				`WITH page AS (
					SELECT d.rowid AS rowid, d.room_id AS roomId, r.name AS roomName, r.is_private AS roomPrivate,
						d.message_id AS messageId, d.seq AS seq, d.author_name AS authorName, d.created_at AS createdAt
					FROM chat_search
					JOIN chat_search_docs d ON d.rowid = chat_search.rowid
					JOIN chat_rooms r ON r.id = d.room_id
					WHERE chat_search MATCH ?1
						AND d.deleted = 0
						AND (r.is_private = 0
							OR EXISTS (SELECT 1 FROM chat_memberships m WHERE m.room_id = d.room_id AND m.user_id = ?2))
						AND (d.created_at < ?3 OR (d.created_at = ?3 AND d.rowid < ?4))
					ORDER BY d.created_at DESC, d.rowid DESC
					LIMIT ?5
				)
				SELECT page.*, snippet(chat_search, 0, ?6, ?7, '…', ${SNIPPET_TOKENS}) AS snippet
				FROM chat_search JOIN page ON page.rowid = chat_search.rowid
				WHERE chat_search MATCH ?1
				ORDER BY page.createdAt DESC, page.rowid DESC`
			)
			.bind(match.fts, userId, beforeTime, beforeRow, SEARCH_PAGE_SIZE + 1, HIT_START, HIT_END)
			.all<SearchHit & { rowid: number; roomPrivate: number | boolean }>();
		const hits = results.slice(0, SEARCH_PAGE_SIZE).map(({ rowid: _rowid, ...hit }) => ({
			...hit,
			roomPrivate: Boolean(hit.roomPrivate)
		}));
		const last = results[SEARCH_PAGE_SIZE - 1];
		const next = results.length > SEARCH_PAGE_SIZE && last ? `${last.createdAt}.${last.rowid}` : null;
		return { ok: true, hits, next };
	} catch (error) {
		// FTS5 reports a query it cannot parse as an SQL error ("fts5: syntax error near …"): the user's
		// mistake, answered as such. Anything else (a missing migration included) is a real fault.
		const text = String(error);
		if (/fts5: syntax error|unterminated string/i.test(text))
			return { ok: false, code: 'bad-query', message: `That search could not be read. ${SEARCH_SYNTAX_HELP}` };
		throw error;
	}
}

/**
 * The user's query as an FTS5 expression. FTS5's barewords allow only letters, digits and "_", so a
 * natural query like `don't`, `e-mail` or `v1.2` would be a syntax error: every word is passed as a quoted
 * string instead (FTS5 tokenizes it like the indexed text, so `e-mail` finds "e-mail" and "e mail"). The
 * operators AND, OR, NOT, parentheses, "phrases" and a trailing * (prefix) keep their meaning; what FTS5
 * still refuses (a dangling OR, an unclosed group) is reported by searchMessages.
 */
export function toFtsQuery(
	query: string
): { ok: true; fts: string } | { ok: false; code: 'bad-query'; message: string } {
	const parts: string[] = [];
	const tokens = query.match(/"[^"]*"?\*?|[()]|[^\s"()]+/g) ?? [];
	for (const token of tokens) {
		if (token.startsWith('"')) {
			const closed = /"\*?$/.test(token.slice(1));
			if (!closed)
				return {
					ok: false,
					code: 'bad-query',
					message: `Close the quote after "${token.slice(1, 30)}". ${SEARCH_SYNTAX_HELP}`
				};
			parts.push(token);
		} else if (token === '(' || token === ')' || token === 'AND' || token === 'OR' || token === 'NOT') {
			parts.push(token);
		} else {
			const prefix = token.endsWith('*');
			const word = prefix ? token.slice(0, -1) : token;
			if (word.length > 0) parts.push(`"${word}"${prefix ? '*' : ''}`);
		}
	}
	if (parts.length === 0)
		return { ok: false, code: 'bad-query', message: `Type something to search for. ${SEARCH_SYNTAX_HELP}` };
	return { ok: true, fts: parts.join(' ') };
}

/** A snippet as text parts, hits marked: what the page renders, each part as plain text. */
export function snippetParts(snippet: string): { text: string; hit: boolean }[] {
	const parts: { text: string; hit: boolean }[] = [];
	for (const [i, piece] of snippet.split(HIT_START).entries()) {
		if (i === 0) {
			if (piece) parts.push({ text: piece, hit: false });
			continue;
		}
		const end = piece.indexOf(HIT_END);
		const hit = end === -1 ? piece : piece.slice(0, end);
		const rest = end === -1 ? '' : piece.slice(end + 1);
		if (hit) parts.push({ text: hit, hit: true });
		if (rest) parts.push({ text: rest, hit: false });
	}
	return parts;
}
