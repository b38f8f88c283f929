/**
 * @mentions in chat text: `@username`, with the account username rule (3–32 of a–z, 0–9, "_", "-"; see
 * src/lib/server/auth/accounts.ts). One parser for the three places that need the same answer: the composer's
 * highlight and autocomplete, the room's notification of the people mentioned, and the unread counters.
 *
 * Code is not prose: text inside inline code (`…`) and fenced code blocks (```…```) mentions nobody, so
 * pasting a log line with "@admin" in a code block pings no one. An "@" inside a word (an e-mail address,
 * a path) is not a mention either.
 */

const MENTION = /(^|[^A-Za-z0-9_@./-])@([A-Za-z0-9_-]{3,32})(?![A-Za-z0-9_-])/g;
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
