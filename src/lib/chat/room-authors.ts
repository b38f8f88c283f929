import type { ChatMessage, ChatUser } from '$lib/protocol/chat';
import type { ChatAuthor, ChatEntry } from '$lib/protocol/chat-wire';

/**
 * The browser's side of the room's author numbers (chat-wire.ts): every author the room described to this
 * session (presence, history pages, `authors` frames), kept for as long as the session lives, since the
 * messages it holds keep naming them; and who of them is online now.
 */
export class RoomAuthors {
	private readonly byNumber = new Map<number, ChatUser>();
	private readonly online = new Set<number>();

	learn(authors: readonly ChatAuthor[]) {
		for (const { n, user } of authors) this.byNumber.set(n, user);
	}

	/** A presence frame: the full list on join, then who joined or left. */
	presence({ online, joined, left }: { online?: ChatAuthor[]; joined?: ChatAuthor; left?: number }) {
		if (online) {
			this.online.clear();
			this.learn(online);
			for (const a of online) this.online.add(a.n);
		}
		if (joined) {
			this.learn([joined]);
			this.online.add(joined.n);
		}
		if (left !== undefined) this.online.delete(left);
	}

	/** A message as the UI shows it: its author number resolved to the user the room described. */
	message({ author, ...entry }: ChatEntry): ChatMessage {
		// The room describes every author before naming one; a stray number shows as unknown, not a crash.
		const user = this.byNumber.get(author) ?? { id: `author-${author}`, name: 'Unknown', avatarKey: null };
		return { ...entry, user };
	}

	/** Everyone online, once per person (a rename with another tab open is still one person), by name. */
	onlineUsers(): ChatUser[] {
		const byId = new Map<string, ChatUser>();
		for (const n of this.online) {
			const user = this.byNumber.get(n);
			if (user) byId.set(user.id, user);
		}
		return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
	}
}
