/**
 * The emoji picker's data: Emojibase's English compact set (emojibase-data, maintained with each Unicode
 * release; ~87 KB gzipped), loaded only when a picker first opens, so the chat page's first load does not
 * carry it. Skin-tone variants are left out (the base emoji of each is offered), and so are the
 * components (bare skin tones, hair styles) and regional-indicator letters, which are not emoji alone.
 */

export interface PickerEmoji {
	emoji: string;
	/** CLDR name, e.g. "grinning face". */
	label: string;
	/** Lower-case words a search matches: the name's words and CLDR's keywords. */
	words: string[];
	group: number;
}

/** Emojibase's group numbers, in its order; 2 ("component") is not offered. */
export const EMOJI_GROUPS = [
	{ id: 0, name: 'Smileys & emotion', icon: '😀' },
	{ id: 1, name: 'People & body', icon: '👋' },
	{ id: 3, name: 'Animals & nature', icon: '🐻' },
	{ id: 4, name: 'Food & drink', icon: '🍔' },
	{ id: 5, name: 'Travel & places', icon: '🚗' },
	{ id: 6, name: 'Activities', icon: '⚽' },
	{ id: 7, name: 'Objects', icon: '💡' },
	{ id: 8, name: 'Symbols', icon: '❤️' },
	{ id: 9, name: 'Flags', icon: '🏁' }
] as const;
const OFFERED = new Set<number>(EMOJI_GROUPS.map((g) => g.id));

let loading: Promise<PickerEmoji[]> | null = null;

/** Every offered emoji in Emojibase's display order; loaded once, shared by every picker on the page. */
export function loadEmoji(): Promise<PickerEmoji[]> {
	loading ??= import('emojibase-data/en/compact.json').then(({ default: data }) =>
		data
			.filter((e) => e.group !== undefined && OFFERED.has(e.group))
			.sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
			.map((e) => ({
				emoji: e.unicode,
				label: e.label,
				words: [...new Set([...e.label.toLowerCase().split(/[\s:,]+/), ...(e.tags ?? [])])].filter(Boolean),
				group: e.group!
			}))
	);
	loading.catch(() => (loading = null)); // a failed load (offline) is tried again on the next open
	return loading;
}

/**
 * Emoji whose name or a keyword starts with each word of `query` ("red heart", "thumbs"): the exact name
 * first, then names that start with it, then the rest, each in display order ("rocket" is 🚀 before 🧑‍🚀).
 */
export function searchEmoji(all: PickerEmoji[], query: string, limit = 120): PickerEmoji[] {
	const q = query.trim().toLowerCase();
	const terms = q.split(/\s+/).filter(Boolean);
	if (terms.length === 0) return [];
	const rank = (e: PickerEmoji) => (e.label === q ? 0 : e.label.startsWith(q) ? 1 : 2);
	return all
		.filter((e) => terms.every((t) => e.words.some((w) => w.startsWith(t))))
		.map((e, i) => ({ e, key: rank(e) * all.length + i }))
		.sort((a, b) => a.key - b.key)
		.slice(0, limit)
		.map(({ e }) => e);
}
