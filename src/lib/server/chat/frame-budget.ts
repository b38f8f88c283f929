import { CHAT_FRAME_JSON_BUDGET_BYTES } from '$lib/protocol/chat-limits';

/**
 * What one message's wire form (chat-wire.ts) adds to a frame's JSON besides its quoted text and id and
 * its reactions, at most: six numbers of up to 16 digits (seq, rev, author, createdAt, editedAt, deleted),
 * brackets, commas and the id's quotes.
 */
const ENTRY_FIXED_JSON_BYTES = 112;

/**
 * An upper bound of one message's wire JSON in UTF-8 bytes, its separating comma included, without
 * serializing it: `textAndIdBytes` is the quoted text's and the id's byte length, which SQLite computes
 * with the page (ChatStore). UTF-16 units are counted as 3 bytes each in emoji and user ids.
 */
export function entryJsonBytes(
	textAndIdBytes: number,
	reactions: readonly { emoji: string; users: readonly string[] }[]
): number {
	let bytes = textAndIdBytes + ENTRY_FIXED_JSON_BYTES;
	for (const { emoji, users } of reactions) {
		bytes += emoji.length * 3 + 8;
		for (const user of users) bytes += user.length * 3 + 3;
	}
	return bytes;
}

/**
 * Splits items, in order, into runs of at most `maxBytes` by their sizes (a single larger item gets a run
 * of its own), so a long catch-up goes out as several frames that each fit the codec's cap.
 */
export function splitBySize<T>(
	items: readonly T[],
	sizes: readonly number[],
	maxBytes = CHAT_FRAME_JSON_BUDGET_BYTES
): T[][] {
	const runs: T[][] = [];
	let run: T[] = [];
	let bytes = 0;
	items.forEach((item, i) => {
		const size = sizes[i]!;
		if (run.length > 0 && bytes + size > maxBytes) {
			runs.push(run);
			run = [];
			bytes = 0;
		}
		run.push(item);
		bytes += size;
	});
	if (run.length > 0) runs.push(run);
	return runs;
}
