import type { ChatChannel } from '$lib/protocol/chat';
import { CHAT_PAGE_SIZE } from '$lib/protocol/chat-limits';
import type { ChannelWire } from '$lib/protocol/channel';
import type { ChatStore } from './chat-store';
import { splitBySize } from './frame-budget';

/**
 * The history a socket gets: when it opens, what it missed since the rev it resumes from (in
 * frames cut by JSON size, so a long absence never outgrows one frame), a fresh page when that is too
 * much or the rev is not one the room can resume from, or — a first join — the latest page, read and
 * encoded once per rev (every change bumps the rev, so a burst of joins reads and serializes it once);
 * then older pages as it scrolls up.
 */
export class RoomHistory {
	private latest: { rev: number; frame: Uint8Array } | null = null;

	constructor(private readonly store: ChatStore) {}

	/** `since`: the rev the socket resumes from, or null for a first join. */
	frames(since: number | null, wire: ChannelWire<ChatChannel>): Uint8Array[] {
		const { store } = this;
		const rev = store.rev;
		const changes = since === null ? null : store.changesSince(since);
		if (changes?.kind === 'catchup') {
			const runs = splitBySize(changes.messages, changes.sizes);
			return (runs.length > 0 ? runs : [[]]).map((messages) =>
				wire.encodeServer('history', { kind: 'catchup', ...store.authors.entries(messages), hasMore: false, rev })
			);
		}
		if (changes) {
			const { messages, hasMore } = store.page(undefined, CHAT_PAGE_SIZE);
			return [wire.encodeServer('history', { kind: 'reset', ...store.authors.entries(messages), hasMore, rev })];
		}
		if (this.latest?.rev !== rev) {
			const { messages, hasMore } = store.page(undefined, CHAT_PAGE_SIZE);
			const page = { kind: 'latest' as const, ...store.authors.entries(messages), hasMore, rev };
			this.latest = { rev, frame: wire.encodeServer('history', page) };
		}
		return [this.latest.frame];
	}

	/** A page of older messages, for a socket scrolling up (`before`: the oldest seq it has). */
	older(before: number | undefined, limit: number) {
		const { store } = this;
		const { messages, hasMore } = store.page(before, limit);
		return { kind: 'older' as const, ...store.authors.entries(messages), hasMore, rev: store.rev };
	}
}
