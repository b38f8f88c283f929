import { describe, expect, it } from 'vitest';
import { mentionQueryAt, mentionSpans, mentionedUsernames } from './mentions';

describe('mentions', () => {
	it('finds @usernames with their offsets, lower-cased and de-duplicated', () => {
		const text = 'hi @Ada and @bo_b, @ada again';
		expect(mentionedUsernames(text)).toEqual(['ada', 'bo_b']);
		const [first] = mentionSpans(text);
		expect(text.slice(first.start, first.end)).toBe('@Ada');
	});

	it('ignores e-mail addresses, paths, too short or too long names', () => {
		expect(mentionedUsernames('mail ada@example.org, see /u/@bob, @ab, @' + 'x'.repeat(33))).toEqual([]);
	});

	it('accepts punctuation around a mention', () => {
		expect(mentionedUsernames('(@ada) @bob: "@cy-d"!')).toEqual(['ada', 'bob', 'cy-d']);
	});

	it('mentions nobody inside inline code or fenced code blocks', () => {
		const text = 'ping `@root` and\n```\n@admin did it\n```\nbut @eve';
		expect(mentionedUsernames(text)).toEqual(['eve']);
		expect(mentionSpans(text)[0].start).toBe(text.indexOf('@eve'));
	});

	it('treats an unclosed fence as code to the end', () => {
		expect(mentionedUsernames('@ann\n```\n@bob')).toEqual(['ann']);
	});

	it('handles prototype names as plain usernames', () => {
		expect(mentionedUsernames('@constructor @__proto__')).toEqual(['constructor', '__proto__']);
	});

	it('finds the mention being typed at the caret, with the rest of its word', () => {
		expect(mentionQueryAt('hi @', 4)).toEqual({ query: '', start: 3, end: 4 });
		expect(mentionQueryAt('hi @Ad', 6)).toEqual({ query: 'Ad', start: 3, end: 6 });
		// Caret inside the word: the whole word is what a suggestion replaces.
		expect(mentionQueryAt('@adxyz, ok', 3)).toEqual({ query: 'ad', start: 0, end: 6 });
		expect(mentionQueryAt('(@bo', 4)).toEqual({ query: 'bo', start: 1, end: 4 });
	});

	it('suggests nothing inside a word, an e-mail address, code, or after a space', () => {
		expect(mentionQueryAt('mail ada@exa', 12)).toBeNull();
		expect(mentionQueryAt('`@ad` x', 4)).toBeNull();
		expect(mentionQueryAt('```\n@ad', 7)).toBeNull();
		expect(mentionQueryAt('@ada ', 5)).toBeNull();
		expect(mentionQueryAt('no at sign', 5)).toBeNull();
		expect(mentionQueryAt('@' + 'x'.repeat(33), 34)).toBeNull();
	});
});
