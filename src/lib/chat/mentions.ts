/**
 * @mentions in chat text: `@username`, with the account username rule (3–32 of a–z, 0–9, "_", "-"; see
 * src/lib/server/auth/accounts.ts). One parser for the three places that need the same answer: the composer's
 * highlight and autocomplete, the room's notification of the people mentioned, and the unread counters.
 *
 * Code is not prose: text inside inline code (`…`) and fenced code blocks (```…```) mentions nobody, so
 * pasting a log line with "@admin" in a code block pings no one. An "@" inside a word (an e-mail address,
 * a path) is not a mention either.
 */

/** What may stand before the "@" (not a word character, so not an e-mail address or a path), and the name. */
const BEFORE = '(^|[^A-Za-z0-9_@./-])';
const NAME_CHAR = '[A-Za-z0-9_-]';
const MENTION = new RegExp(`${BEFORE}@(${NAME_CHAR}{3,32})(?!${NAME_CHAR})`, 'g');
/** A mention being typed: "@" and up to a name's length of name characters, ending at the caret. */
const TYPING = new RegExp(`${BEFORE}@(${NAME_CHAR}{0,32})$`);
const NAME_REST = new RegExp(`^${NAME_CHAR}*`);
const FENCED_CODE = /^(```|~~~)[^\n]*\n[\s\S]*?(?:^\1[^\n]*$|(?![\s\S]))/gm;
const INLINE_CODE = /(`+)(?!`)[\s\S]*?[^`]\1(?!`)|(`+)(?!`)[^`]\2(?!`)/g;

/** Replaces code with spaces of the same length, so offsets into the result are offsets into `text`. */
function blankCode(text: string): string {
	const blank = (m: string) => m.replace(/[^\n]/g, ' ');
	return text.replace(FENCED_CODE, blank).replace(INLINE_CODE, blank);
}

export interface MentionSpan {
	/** Lower-cased username, as accounts store it. */
	username: string;
	/** Offset of the "@" in the text, and the offset just past the name. */
	start: number;
	end: number;
}

/** Every mention in `text`, in order, with where it is (for highlighting). */
export function mentionSpans(text: string): MentionSpan[] {
	const spans: MentionSpan[] = [];
	for (const m of blankCode(text).matchAll(MENTION)) {
		const start = m.index + m[1].length;
		spans.push({ username: m[2].toLowerCase(), start, end: start + 1 + m[2].length });
	}
	return spans;
}

/** The distinct usernames `text` mentions, in first-mention order. */
export function mentionedUsernames(text: string): string[] {
	return [...new Set(mentionSpans(text).map((s) => s.username))];
}

export interface MentionQuery {
	/** What follows the "@" so far (as typed), and where the mention runs: "@" up to the end of the word. */
	query: string;
	start: number;
	end: number;
}

/**
 * The mention the caret is in while typing, for the composer's suggestions: "@", then the name up to the
 * caret; `end` takes the rest of the word after the caret, which choosing a suggestion replaces. Null
 * where no mention could start (inside a word, inside code).
 */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
	const m = TYPING.exec(blankCode(text).slice(0, caret));
	if (!m) return null;
	const start = m.index + m[1].length;
	return { query: m[2], start, end: caret + NAME_REST.exec(text.slice(caret))![0].length };
}
