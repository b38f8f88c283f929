import { memberSuggestionsSchema, type MemberSuggestion } from '$lib/protocol/chat-members';

/** How long a query's answer is reused: long enough for typing back and forth, short enough to see newcomers. */
const FRESH_MS = 30_000;
/** Distinct queries remembered; typing adds one per keystroke, so the memory stays small. */
const MAX_QUERIES = 64;

/**
 * The room's members for the composer's @suggestions, asked from GET /api/members by prefix (one small
 * page each, whatever the room's size) and kept briefly per query. A failed request suggests nobody
 * and is asked again next time.
 */
export class MemberDirectory {
	private readonly answers = new Map<string, { at: number; members: Promise<MemberSuggestion[]> }>();

	constructor(private readonly roomId: string) {}

	find(query: string): Promise<MemberSuggestion[]> {
		const key = query.toLowerCase();
		const now = Date.now();
		const known = this.answers.get(key);
		if (known && now - known.at < FRESH_MS) return known.members;
		if (this.answers.size >= MAX_QUERIES) this.answers.clear();
		const members = this.ask(key).catch(() => {
			this.answers.delete(key);
			return [];
		});
		this.answers.set(key, { at: now, members });
		return members;
	}

	private async ask(query: string): Promise<MemberSuggestion[]> {
		const params = new URLSearchParams({ room: this.roomId, q: query });
		const response = await fetch(`/api/members?${params}`);
		if (!response.ok) throw new Error(`members: ${response.status}`);
		return memberSuggestionsSchema.parse(await response.json()).members;
	}
}
