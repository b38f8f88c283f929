import { CHAT_TYPING_TTL_MS } from '$lib/protocol/chat-limits';

/** A typing indicator as the `typing` event carries it: who, and how many ms it has left. */
export interface TypingNow {
	users: { id: string; name: string; ms: number }[];
}

/** What RoomTyping needs of its ChatRoom: the sockets' attachments, which hold each socket's indicator. */
export interface TypingHost {
	sockets(): WebSocket[];
	socketsOf(userId: string): WebSocket[];
	typingOf(ws: WebSocket): { user: { id: string; name: string }; typingUntil: number } | null;
	setTypingUntil(ws: WebSocket, until: number): void;
	broadcast(typing: TypingNow, except?: WebSocket): void;
}

/**
 * Who is typing in a room. The record is each socket's attachment (`typingUntil`), so it survives
 * hibernation; this keeps a cache of it by user, rebuilt from the attachments on first use after a
 * wake-up, so a send or a keystroke does not read every socket.
 */
export class RoomTyping {
	private cache: Map<string, { id: string; name: string; until: number }> | null = null;

	constructor(private readonly host: TypingHost) {}

	/** Everyone typing now, with the time each indicator has left. */
	now(now = Date.now()): TypingNow {
		const users = [...this.users().values()].filter((u) => u.until > now);
		return { users: users.map((u) => ({ id: u.id, name: u.name, ms: u.until - now })) };
	}

	/** A keystroke signal from `ws`: re-announced only when new or more than half expired (keystrokes stay cheap). */
	keystroke(ws: WebSocket, user: { id: string; name: string }, typingUntil: number) {
		const now = Date.now();
		const announce = typingUntil - now < CHAT_TYPING_TTL_MS / 2;
		const until = now + CHAT_TYPING_TTL_MS;
		this.host.setTypingUntil(ws, until);
		this.users().set(user.id, { id: user.id, name: user.name, until });
		if (announce) this.host.broadcast(this.now(now), ws);
	}

	/** A sent message ends its author's typing indicator everywhere. */
	stop(userId: string) {
		const entry = this.users().get(userId);
		if (!entry) return;
		this.users().delete(userId);
		for (const ws of this.host.socketsOf(userId))
			if ((this.host.typingOf(ws)?.typingUntil ?? 0) > 0) this.host.setTypingUntil(ws, 0);
		if (entry.until > Date.now()) this.host.broadcast(this.now());
	}

	/** A socket that was typing closed: another socket of the same user may still be, so re-read. */
	closed(typingUntil: number) {
		if (typingUntil <= Date.now()) return;
		this.cache = null;
		this.host.broadcast(this.now());
	}

	private users() {
		if (!this.cache) {
			const cache = new Map<string, { id: string; name: string; until: number }>();
			for (const ws of this.host.sockets()) {
				const a = this.host.typingOf(ws);
				if (!a || a.typingUntil === 0) continue;
				const seen = cache.get(a.user.id);
				if (!seen || seen.until < a.typingUntil) cache.set(a.user.id, { ...a.user, until: a.typingUntil });
			}
			this.cache = cache;
		}
		return this.cache;
	}
}
