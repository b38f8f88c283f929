import { getContext, setContext } from 'svelte';
import {
	chatInboxChannel,
	type ChatInboxChannel,
	type MentionNotice,
	type RoomActivity
} from '$lib/protocol/chat-inbox';
import type { ChatCursor } from '$lib/protocol/chat';
import { openChannel, type ChannelHandle } from '$lib/realtime/open-channel.svelte';
import type { ListedRoom } from './room-list';

const CONTEXT = Symbol('murmur.chat.inbox');

/**
 * The browser end of the person's chat inbox (ChatInbox): one socket per chat tab, opened by the chat
 * layout and shared by its pages through context, so moving between rooms keeps it. Holds the newest
 * summary of each room (a later `at` wins, so updates arriving out of order never step back), the rooms a
 * snapshot named, and passes mentions to whoever listens (notifications).
 */
export class InboxClient {
	/** Newest summary per room id (summaries from the page load and the socket alike). */
	// Replaced, never mutated ($state.raw): a plain Map is right here.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	activity: ReadonlyMap<string, RoomActivity> = $state.raw(new Map());
	/** The person's rooms as the last snapshot listed them (null before the first one). */
	rooms: readonly ListedRoom[] | null = $state.raw(null);

	private channel: ChannelHandle<ChatInboxChannel> | null = null;
	private closed = false;
	// Listeners, not state: nothing renders from this set.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private readonly mentionListeners = new Set<(notice: MentionNotice) => void>();

	/** Unread mentions across all the person's rooms (for the tab title). */
	get mentionTotal(): number {
		let total = 0;
		for (const a of this.activity.values()) total += a.cursor.mentions;
		return total;
	}

	async connect() {
		const channel = await openChannel({
			channel: chatInboxChannel,
			path: () => '/chat/inbox/ws',
			onMessage: (message) => {
				switch (message.type) {
					case 'rooms':
						this.rooms = message.payload.rooms.map(({ roomId, name, isPrivate }) => ({ id: roomId, name, isPrivate }));
						this.merge(message.payload.rooms);
						return;
					case 'room':
						this.merge([message.payload]);
						return;
					case 'mention':
						for (const listener of this.mentionListeners) listener(message.payload);
						return;
				}
			}
		});
		if (this.closed) channel.close();
		else this.channel = channel;
	}

	/**
	 * Takes in summaries (from the page load, or the socket); one older than held is ignored: read earlier
	 * by the room (`at`), or with a cursor behind the held one (cursors only move forward).
	 */
	merge(summaries: readonly RoomActivity[]) {
		let next: Map<string, RoomActivity> | null = null;
		for (const s of summaries) {
			const held = (next ?? this.activity).get(s.roomId);
			if (held && (held.at > s.at || held.cursor.seq > s.cursor.seq)) continue;
			// A fresh copy becomes the new $state.raw value (see `activity`).
			// eslint-disable-next-line svelte/prefer-svelte-reactivity
			next ??= new Map(this.activity);
			next.set(s.roomId, s);
		}
		if (next) this.activity = next;
	}

	/** The open room's own socket knows its cursor first: the room list and title follow it at once. */
	cursorSeen(roomId: string, cursor: ChatCursor) {
		const held = this.activity.get(roomId);
		if (!held || held.cursor.seq > cursor.seq) return;
		// Same `at` (the room's clock, not this browser's): any later summary from the room still wins.
		this.merge([{ ...held, cursor }]);
	}

	onMention(listener: (notice: MentionNotice) => void): () => void {
		this.mentionListeners.add(listener);
		return () => this.mentionListeners.delete(listener);
	}

	close() {
		this.closed = true;
		this.channel?.close();
		this.channel = null;
	}
}

/** In the chat layout: the tab's one inbox, for every chat page below it. */
export function provideInbox(inbox: InboxClient): InboxClient {
	return setContext(CONTEXT, inbox);
}

export function useInbox(): InboxClient | undefined {
	return getContext<InboxClient | undefined>(CONTEXT);
}
