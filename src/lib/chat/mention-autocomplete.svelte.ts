import type { MemberSuggestion } from '$lib/protocol/chat-members';
import { mentionQueryAt, type MentionQuery } from './mentions';

/**
 * The composer's @mention suggestions: which mention the caret is in (mentions.ts decides what can be
 * one), the matching members, the highlighted one, and the text after choosing it. Keys and pointer
 * are wired by Composer.svelte; answers that arrive after the text moved on are dropped.
 */
export class MentionAutocomplete {
	members: MemberSuggestion[] = $state.raw([]);
	active = $state(0);
	private at: MentionQuery | null = null;
	/** What the reader dismissed with Escape: not offered again until they type on or start another. */
	private dismissed: string | null = null;
	private asked = 0;

	constructor(private readonly find: (query: string) => Promise<MemberSuggestion[]>) {}

	get open(): boolean {
		return this.members.length > 0;
	}

	/** Call on every input and caret move. */
	update(text: string, caret: number) {
		const at = mentionQueryAt(text, caret);
		if (!at || key(at) === this.dismissed) {
			this.close();
			return;
		}
		this.dismissed = null;
		const same = this.at?.start === at.start && this.at.query === at.query;
		this.at = at;
		if (same) return;
		const asked = ++this.asked;
		void this.find(at.query).then((members) => {
			if (asked !== this.asked) return;
			this.members = members;
			this.active = 0;
		});
	}

	move(delta: number) {
		const n = this.members.length;
		if (n > 0) this.active = (this.active + delta + n) % n;
	}

	dismiss() {
		this.dismissed = this.at && key(this.at);
		this.close();
	}

	/** The text with the chosen member's mention in place of what was typed, and the caret after it. */
	choose(text: string, index = this.active): { text: string; caret: number } | null {
		const member = this.members[index];
		const at = this.at;
		if (!member || !at) return null;
		const rest = text.slice(at.end);
		const inserted = `@${member.username}${rest.startsWith(' ') ? '' : ' '}`;
		this.close();
		return { text: text.slice(0, at.start) + inserted + rest, caret: at.start + inserted.length };
	}

	close() {
		this.asked++;
		this.at = null;
		this.members = [];
		this.active = 0;
	}
}

const key = (at: MentionQuery) => `${at.start}:${at.query}`;
