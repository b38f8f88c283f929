import { describe, expect, it } from 'vitest';
import { emojiSchema } from '$lib/protocol/chat';
import { EMOJI_GROUPS, loadEmoji, searchEmoji } from './emoji-data';

describe('emoji picker data', () => {
	it('offers every emoji of the data set that the room accepts as a reaction', async () => {
		const all = await loadEmoji();
		expect(all.length).toBeGreaterThan(1500);
		const refused = all.filter((e) => !emojiSchema.safeParse(e.emoji).success).map((e) => e.emoji);
		expect(refused).toEqual([]);
		expect(new Set(all.map((e) => e.group))).toEqual(new Set(EMOJI_GROUPS.map((g) => g.id)));
	});

	it('finds emoji by the start of each word of their name or keywords', async () => {
		const all = await loadEmoji();
		expect(searchEmoji(all, 'red heart').map((e) => e.emoji)).toContain('❤️');
		expect(searchEmoji(all, 'THUMBS').map((e) => e.label)).toContain('thumbs up');
		expect(searchEmoji(all, 'tada').length + searchEmoji(all, 'party').length).toBeGreaterThan(0);
		expect(searchEmoji(all, 'rocket')[0]!.emoji).toBe('🚀');
		expect(searchEmoji(all, 'zzqx')).toEqual([]);
		expect(searchEmoji(all, '   ')).toEqual([]);
		expect(searchEmoji(all, 'face', 5)).toHaveLength(5);
	});
});
