import { runInDurableObject } from 'cloudflare:test';
import { ChatSession } from '$lib/chat/chat-session';
import { ChannelError, ChannelWire } from '$lib/protocol/channel';
import { chatChannel } from '$lib/protocol/chat';
import type { ChatEntry } from '$lib/protocol/chat-wire';
import { PONG } from '$lib/protocol/heartbeat';
import type { ChatRoom } from '$lib/server/chat/chat-room';
import { chatRoomStub } from '$lib/server/chat/access';
import { createRoom, joinPublicRoom } from '$lib/server/chat/rooms';
import { loadCodec } from '$lib/server/codec';
import { getDb } from '$lib/server/db';
import { signedInUser } from './users';
import {
	openChannelSocket,
	upgrade as upgradeChannel,
	type ChannelSocket,
	type UpgradeOptions
} from './channel-socket';

export { ORIGIN } from './channel-socket';

export async function newRoom(env: Env, ownerId: string, visibility: 'public' | 'private' = 'public') {
	return createRoom(getDb(env), ownerId, { name: `Room ${crypto.randomUUID().slice(0, 6)}`, visibility });
}

/** Alice's new public room with Bob joined, and the room's object: where most two-person tests start. */
export async function roomOfTwo(env: Env) {
	const [alice, bob] = [await signedInUser(env), await signedInUser(env)];
	const room = await newRoom(env, alice.user.id);
	await joinPublicRoom(getDb(env), room.id, bob.user.id);
	return { alice, bob, room, stub: chatRoomStub(env, room.id) };
}

/** A room's socket path, resuming after `since` when given (as ChatSession.socketPath builds it). */
export function chatPath(roomId: string, since?: number): string {
	return `/chat/${roomId}/ws${since === undefined ? '' : `?since=${since}`}`;
}

/** A chat upgrade through the whole worker, with the channel's protocol version unless told otherwise. */
export function upgrade(
	cookie: string | null,
	roomId: string,
	options: Omit<UpgradeOptions, 'cookie'> & { since?: number } = {}
) {
	return upgradeChannel(chatChannel, chatPath(roomId, options.since), { ...options, cookie });
}

export type ChatSocket = ChannelSocket<typeof chatChannel>;

/**
 * A real socket into a room through the whole worker (session cookie → membership → ChatRoom), speaking
 * the chat channel: every frame is decoded and validated by the contract, and tests await the n-th
 * message of a kind (`next`) and send requests with increasing request numbers (`send`).
 */
export function openChat(cookie: string, roomId: string, since?: number): Promise<ChatSocket> {
	return openChannelSocket(chatChannel, chatPath(roomId, since), { cookie });
}

/**
 * A new message as a socket got it: in a `message` frame of its own (`seq`: the frame's, its request
 * number on the sender's copy) or gathered with others in a `messages` frame (`seq` 0: a sender finds
 * its ack by id). `frame` is the frame's index in the socket's `messages`.
 */
export interface Delivered {
	entry: ChatEntry;
	seq: number;
	batched: boolean;
	frame: number;
}

/**
 * The new messages a socket was sent, in order. A room sends a message that comes alone at once, in a
 * frame of its own, and gathers those that come while it is busy (LiveBatch), so a test that sends
 * several in a row reads them here rather than frame by frame.
 */
export function delivered(socket: ChatSocket): Delivered[] {
	return socket.messages.flatMap((m, frame): Delivered[] => {
		if (m.type === 'message') return [{ entry: m.payload, seq: m.seq, batched: false, frame }];
		if (m.type === 'messages') return m.payload.map((entry) => ({ entry, seq: 0, batched: true, frame }));
		return [];
	});
}

/** Waits until the socket was sent a new message `match` accepts (by default, any), in either kind of frame. */
export async function nextDelivered(
	socket: ChatSocket,
	match: (entry: ChatEntry) => boolean = () => true,
	timeoutMs = 5_000
): Promise<Delivered> {
	let found: Delivered | undefined;
	await until(() => (found = delivered(socket).find((d) => match(d.entry))) !== undefined, 'a new message', timeoutMs);
	return found!;
}

/**
 * Waits until the room has stopped gathering (a turn found nothing waiting), so the next message it is
 * sent goes out alone, at once — early, if the room may show messages before they are stored.
 */
export async function quietRoom(stub: DurableObjectStub<ChatRoom>, timeoutMs = 5_000) {
	const gathering = () => runInDurableObject(stub, (room: ChatRoom) => room.live.gathering);
	for (const deadline = Date.now() + timeoutMs; await gathering();) {
		if (Date.now() > deadline) throw new Error('timed out: the room is still gathering');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/**
 * Connects a ChatSession (the browser's client core) over a real socket, as the browser's openChannel
 * does: frames decoded and validated with the chat channel's wire before the session sees them, its
 * requests encoded with it. Resolves once the socket is open; `gone` settles when it closes.
 */
export async function connectSession(session: ChatSession, cookie: string, roomId: string) {
	const wire = new ChannelWire(chatChannel, await loadCodec());
	const response = await upgrade(cookie, roomId, { since: session.rev ?? undefined });
	if (response.status !== 101) throw new Error(`upgrade ${response.status}`);
	const ws = response.webSocket!;
	ws.binaryType = 'arraybuffer';
	ws.accept();
	// Settled by whichever of close or error comes first; the session hears of it exactly once.
	const gone = new Promise<void>((resolve) => {
		ws.addEventListener('close', () => resolve());
		ws.addEventListener('error', () => resolve());
	}).then(() => session.closed());
	ws.addEventListener('message', (event) => {
		if (event.data === PONG) return;
		try {
			session.received(wire.decodeServer(event.data as ArrayBuffer));
		} catch (error) {
			if (!(error instanceof ChannelError)) throw error;
			session.invalid(error);
		}
	});
	session.opened((type, payload, seq) => {
		try {
			ws.send(wire.encodeClient(type, payload, seq));
			return true;
		} catch {
			return false; // closing: the outbox keeps the message for the next connection
		}
	});
	return { ws, gone };
}

/**
 * A client as the browser runs it (ChatSession: outbox, since-rev resume, merge), on raw sockets through
 * the whole worker instead of openChannel's partysocket, reconnecting 5 ms after every close.
 */
export function reconnectingSession(cookie: string, roomId: string, me: { id: string; name: string }) {
	const session = new ChatSession({ ...me, avatarKey: null });
	let socket: WebSocket | null = null;
	let stopped = false;
	const kinds: string[] = [];
	let connects = 0;

	async function connect() {
		while (!stopped) {
			const { ws, gone } = await connectSession(session, cookie, roomId);
			connects++;
			socket = ws;
			ws.addEventListener('message', () => kinds.push(session.lastError ? 'error' : 'frame'));
			await gone;
			socket = null;
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	}
	const running = connect();
	return {
		session,
		/** Per frame received: 'error' once the session holds an error, else 'frame'. */
		kinds,
		get connects() {
			return connects;
		},
		/** Drops the connection from the client side at this exact moment. */
		kill() {
			socket?.close(1000, 'test kill');
		},
		async stop() {
			stopped = true;
			socket?.close(1000, 'done');
			await running;
		}
	};
}

/** Alice and Bob of a `roomOfTwo` as browsers run them: a reconnecting ChatSession each. */
export function reconnectingPair({ alice, bob, room }: Awaited<ReturnType<typeof roomOfTwo>>) {
	return {
		a: reconnectingSession(alice.cookie, room.id, { id: alice.user.id, name: 'Alice' }),
		b: reconnectingSession(bob.cookie, room.id, { id: bob.user.id, name: 'Bob' })
	};
}

/** Polls `check` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 2_000) {
	for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
		if (check()) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	if (check()) return;
	throw new Error(`timed out: ${what}`);
}

/** Fault injection: the room's next message INSERT throws, once (this instance only). */
export function failNextInsert(stub: DurableObjectStub<ChatRoom>) {
	return runInDurableObject(stub, (room: ChatRoom) => {
		const store = (room as unknown as { store: { insert: (...args: unknown[]) => unknown } }).store;
		const insert = store.insert.bind(store);
		store.insert = () => {
			store.insert = insert;
			throw new Error('injected insert failure');
		};
	});
}
