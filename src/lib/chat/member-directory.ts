import { MEMBER_IDS_MAX, memberSuggestionsSchema, type MemberSuggestion } from '$lib/protocol/chat-members';

/** How long a query's answer is reused: long enough for typing back and forth, short enough to see newcomers. */
const FRESH_MS = 30_000;
/** Distinct queries remembered; typing adds one per keystroke, so the memory stays small. */
const MAX_QUERIES = 64;
/** Names remembered by user id (authors, people online, who reacted): a long session stays bounded. */
const MAX_NAMES = 5_000;

/**
 * The room's members for the composer's @suggestions, asked from GET /api/members by prefix (one small
 * page each, whatever the room's size) and kept briefly per query. A failed request suggests nobody
 * and is asked again next time. Also the names behind reactions' user ids: the people the page already
 * knows (authors, who is online) and, for the rest, GET /api/members?ids=… (null: no longer a member).
 */
export class MemberDirectory {
	private readonly answers = new Map<string, { at: number; members: Promise<MemberSuggestion[]> }>();

	private readonly names = new Map<string, string | null>();

	constructor(private readonly roomId: string) {}

	/** People the page has seen, so their names need no request. */
	remember(people: Iterable<{ id: string; name: string }>) {
		for (const { id, name } of people) {
			if (this.names.size >= MAX_NAMES && !this.names.has(id)) this.names.clear();
			this.names.set(id, name);
		}
	}

	/** The names of `ids`, in order (asking for up to MEMBER_IDS_MAX unknown ones); null for someone who left. */
	async namesOf(ids: string[]): Promise<(string | null)[]> {
		const unknown = ids.filter((id) => !this.names.has(id)).slice(0, MEMBER_IDS_MAX);
		if (unknown.length > 0) {
			const params = new URLSearchParams({ room: this.roomId, ids: unknown.join(',') });
			try {
				const response = await fetch(`/api/members?${params}`);
				if (response.ok) {
					const { members } = memberSuggestionsSchema.parse(await response.json());
					this.remember(members);
					for (const id of unknown) if (!this.names.has(id)) this.names.set(id, null);
				}
			} catch {
				// Offline: show the names known so far; the rest are asked again next time.
			}
		}
		return ids.map((id) => this.names.get(id) ?? null);
	}

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
