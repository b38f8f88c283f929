/** What presence needs of its room: its sockets by author, and the frames it tells them. */
export interface PresenceHost {
	/** The author of every open socket (one entry per socket), for the rebuild after a wake-up. */
	everySocketAuthor(): Iterable<number>;
	/** How many sockets are open as `author` (a tag lookup: no attachment is read). */
	openSocketsOf(author: number): number;
	/** Tells every socket but `except` that `author` came online, or `left` that it went. */
	announce(change: { joined: number } | { left: number }, except?: WebSocket): void;
	/** The `online` frame listing these authors. */
	encodeOnline(authors: number[]): Uint8Array;
}

/**
 * Who is online in a room, by author number (chat-wire.ts), kept up to date as sockets open and close, so
 * a join costs the same in a room of ten sockets or of thousands: the socket's own author is counted from
 * the sockets of that one person (a tag lookup, at most MAX_SOCKETS_PER_IDENTITY attachments), never from
 * every socket in the room. The record stays the sockets' attachments, which survive hibernation: after a
 * wake-up the map is empty and is rebuilt from them once, on first use. The `online` frame a join gets is
 * encoded once until someone comes or goes, so a burst of joins by people already online (more tabs, a
 * reconnect storm) serializes the list once.
 */
export class RoomPresence {
	/** Author number → how many of its sockets are open; only authors with at least one. */
	private online: Map<number, number> | null = null;
	/** The `online` frame for the map as it is, until it changes. */
	private frame: Uint8Array | null = null;

	constructor(private readonly host: PresenceHost) {}

	/** Everyone online now, in the order they came. */
	authors(): number[] {
		return [...this.map().keys()];
	}

	has(author: number): boolean {
		return this.map().has(author);
	}

	/** The frame a joining socket gets: everyone online. */
	onlineFrame(): Uint8Array {
		this.frame ??= this.host.encodeOnline(this.authors());
		return this.frame;
	}

	/** Socket `ws` of `author` opened: the others hear of it when it is the author's first. */
	socketOpened(ws: WebSocket, author: number) {
		const open = this.host.openSocketsOf(author);
		this.map().set(author, open);
		if (open !== 1) return;
		this.frame = null;
		this.host.announce({ joined: author }, ws);
	}

	/**
	 * A socket of `author` closed: everyone hears of it when that was its last one — once per author, even
	 * if a socket's close and error events both arrive.
	 */
	socketClosed(author: number) {
		const open = this.host.openSocketsOf(author);
		const rebuilt = this.online === null;
		const map = this.map();
		const was = rebuilt || map.has(author);
		if (open > 0) map.set(author, open);
		else map.delete(author);
		if (open > 0 || !was) return;
		this.frame = null;
		this.host.announce({ left: author });
	}

	private map(): Map<number, number> {
		if (!this.online) {
			const online = new Map<number, number>();
			for (const author of this.host.everySocketAuthor()) online.set(author, (online.get(author) ?? 0) + 1);
			this.online = online;
		}
		return this.online;
	}
}
