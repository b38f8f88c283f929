/**
 * Who is online in a room, by author number (chat-wire.ts), kept up to date as sockets open and close, so
 * a join costs the same in a room of ten sockets or of thousands: the socket's own author is counted from
 * the sockets of that one person (a tag lookup, at most MAX_SOCKETS_PER_IDENTITY attachments), never from
 * every socket in the room. The record stays the sockets' attachments, which survive hibernation: after a
 * wake-up the map is empty and is rebuilt from them once, on first use.
 */
export class RoomPresence {
	/** Author number → how many of its sockets are open; only authors with at least one. */
	private online: Map<number, number> | null = null;

	constructor(
		/** The author of every open socket (one entry per socket), for the rebuild after a wake-up. */
		private readonly everySocketAuthor: () => Iterable<number>
	) {}

	/** Everyone online now, in the order they came. */
	authors(): number[] {
		return [...this.map().keys()];
	}

	has(author: number): boolean {
		return this.map().has(author);
	}

	/**
	 * A socket of `author` opened; `open` is how many of its sockets are open now, that one included.
	 * True when that made the author online (its first socket), which is when the others hear of it.
	 */
	opened(author: number, open: number): boolean {
		this.map().set(author, open);
		return open === 1;
	}

	/**
	 * A socket of `author` closed; `open` is how many of its sockets are still open. True when that was
	 * its last one — once per author, even if a socket's close and error events both arrive.
	 */
	closed(author: number, open: number): boolean {
		const rebuilt = this.online === null;
		const map = this.map();
		const was = rebuilt || map.has(author);
		if (open > 0) map.set(author, open);
		else map.delete(author);
		return open === 0 && was;
	}

	private map(): Map<number, number> {
		if (!this.online) {
			const online = new Map<number, number>();
			for (const author of this.everySocketAuthor()) online.set(author, (online.get(author) ?? 0) + 1);
			this.online = online;
		}
		return this.online;
	}
}
