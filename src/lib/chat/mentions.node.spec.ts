import { describe, expect, it } from 'vitest';
import { mentionSpans, mentionedUsernames } from './mentions';

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
});
