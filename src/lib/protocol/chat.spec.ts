import { describe, expect, it } from 'vitest';
import { emojiSchema } from './chat';

describe('chat reaction schema', () => {
	it('accepts exactly one emoji, however many code points it takes', () => {
		// thumbs up, with a skin tone, a flag, a ZWJ family, a keycap, a heart with its variation selector
		for (const emoji of ['👍', '👍🏽', '🇩🇪', '👨‍👩‍👧', '1️⃣', '❤️'])
			expect(emojiSchema.safeParse(emoji).success, emoji).toBe(true);
	});

	it('refuses several emoji in one reaction, and anything that is not an emoji', () => {
		for (const text of ['👍👍', '🇩🇪🇫🇷', '😀🎉', '👍🏽👍🏽', 'lol', 'a👍', '', '1'])
			expect(emojiSchema.safeParse(text).error?.issues[0]?.message, text).toBe('A reaction is a single emoji.');
	});
});
