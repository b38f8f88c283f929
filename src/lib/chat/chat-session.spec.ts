import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CHAT_RATE_BURST } from '$lib/protocol/chat-limits';
import { chatRoomStub } from '$lib/server/chat/access';
import type { ChatRoom } from '$lib/server/chat/chat-room';
import { connectSession, failNextInsert, newRoom, until } from '../../testing/chat';
import { signedInUser } from '../../testing/users';
import { getDb } from '$lib/server/db';
import { joinPublicRoom } from '$lib/server/chat/rooms';
import { ChatSession } from './chat-session';

/** Connects a session over a real socket, as the browser's openChannel would. */
async function connect(session: ChatSession, cookie: string, roomId: string) {
	return (await connectSession(session, cookie, roomId)).ws;
}

/** A public room with `count` messages by its owner, and a second member who reads it. */
async function roomWithHistory(count: number) {
	const owner = await signedInUser(env);
	const reader = await signedInUser(env);
	const room = await newRoom(env, owner.user.id);
	await joinPublicRoom(getDb(env), room.id, reader.user.id);
	const stub = chatRoomStub(env, room.id);
	const author = { id: owner.user.id, name: 'Author', avatarKey: null };
	await runInDurableObject(stub, async (r: ChatRoom) => {
		r.rateLimit = { burst: 100_000, windowMs: 1_000 };
		for (let i = 1; i <= count; i++) await r.postMessage(author, `m${i}`, `message ${i}`);
	});
	const session = new ChatSession({ id: reader.user.id, name: 'Reader', avatarKey: null });
	return { room, stub, author, reader, session };
}

/** Scrolls back until the room has nothing older. */
async function loadAll(session: ChatSession) {
	for (let round = 0; session.hasMore && round < 20; round++) {
		expect(session.loadOlder()).toBe(true);
		await until(() => !session.loadingOlder, 'older page');
	}
}

describe('ChatSession (the browser client core) against a real room', () => {
	it('queues messages written offline and delivers each exactly once, in order, on connect', async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const session = new ChatSession({ id: user.id, name: 'Me', avatarKey: null });
		const ids = ['one', 'two', 'three'].map((t) => session.send(t));
		expect(session.outbox.map((i) => i.state)).toEqual(['queued', 'queued', 'queued']);
		expect(session.pending()).toHaveLength(3);

		const ws = await connect(session, cookie, room.id);
		await until(() => session.outbox.length === 0 && session.messages.size === 3, 'delivery');
		expect(session.ordered().map((m) => [m.seq, m.id, m.text])).toEqual([
			[1, ids[0], 'one'],
			[2, ids[1], 'two'],
			[3, ids[2], 'three']
		]);
		// A second connection with the same session resumes: nothing is sent or stored twice.
		ws.close(1000);
		await until(() => !session.connected, 'close');
		await connect(session, cookie, room.id);
		session.send('four');
		await until(() => session.messages.size === 4 && session.outbox.length === 0, 'fourth');
		const page = await chatRoomStub(env, room.id).historyPage(undefined, 50);
		expect(page.messages.map((m) => m.text)).toEqual(['one', 'two', 'three', 'four']);
	});

	it('marks a send the room could not store failed with the reason, and a retry delivers it', async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const stub = chatRoomStub(env, room.id);
		// The next INSERT fails inside the room (an "internal" error frame), once. The room's first message
		// is stored before it is sent, so no listener saw it.
		await failNextInsert(stub);
		const session = new ChatSession({ id: user.id, name: 'Me', avatarKey: null });
		await connect(session, cookie, room.id);
		await until(() => session.rev !== null, 'first page');
		const refused = session.send('refused');
		session.send('after it');
		await until(() => session.messages.size === 1 && session.outbox.length === 1, 'failure, then the next one');
		expect(session.outbox.map((i) => [i.id, i.state, i.error])).toEqual([
			[refused, 'failed', expect.stringMatching(/could not handle/)]
		]);

		session.retry(refused);
		await until(() => session.outbox.length === 0 && session.messages.size === 2, 'retry');
		expect(session.ordered().map((m) => m.text)).toEqual(['after it', 'refused']);
	});

	it('keeps scroll-back contiguous when old messages change live or during catch-up', async () => {
		const { room, stub, author, reader, session } = await roomWithHistory(70);
		const ws = await connect(session, reader.cookie, room.id);
		await until(() => session.rev === 70, 'latest page');
		expect(session.ordered()[0]!.seq).toBe(21);
		// Someone reacts to a message older than the loaded page, live …
		await stub.react(author, 'm5', '👍');
		await until(() => session.rev === 71, 'live reaction');
		// … and another while this client is away, which reaches it in the catch-up.
		ws.close(1000);
		await until(() => !session.connected, 'close');
		await stub.react(author, 'm12', '🎉');
		await connect(session, reader.cookie, room.id);
		await until(() => session.rev === 72, 'catch-up');

		await loadAll(session);
		expect(session.ordered().map((m) => m.seq)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
		expect(session.messages.get(5)!.reactions).toEqual([{ emoji: '👍', users: [author.id] }]);
		expect(session.messages.get(12)!.reactions).toEqual([{ emoji: '🎉', users: [author.id] }]);
	});

	it(
		'delivers messages written offline beyond the rate-limit burst, each exactly once, in order',
		{ timeout: 30_000 },
		async () => {
			const { user, cookie } = await signedInUser(env);
			const room = await newRoom(env, user.id);
			const session = new ChatSession({ id: user.id, name: 'Me', avatarKey: null });
			const texts = Array.from({ length: CHAT_RATE_BURST + 5 }, (_, i) => `offline ${i + 1}`);
			for (const text of texts) session.send(text);
			await connect(session, cookie, room.id); // the default budget: a burst of 10, then 1 per second
			await until(() => session.outbox.length === 0, 'all delivered', 20_000);
			expect(session.outbox.filter((i) => i.state === 'failed')).toEqual([]);
			const page = await chatRoomStub(env, room.id).historyPage(undefined, 50);
			expect(page.messages.map((m) => m.text)).toEqual(texts);
		}
	);

	it(
		'delivers a burst past the rate budget in order, paced by the room, and a later send does not overtake it',
		{ timeout: 20_000 },
		async () => {
			const { user, cookie } = await signedInUser(env);
			const reader = await signedInUser(env);
			const room = await newRoom(env, user.id);
			await joinPublicRoom(getDb(env), room.id, reader.user.id);
			await runInDurableObject(chatRoomStub(env, room.id), (r: ChatRoom) => {
				r.rateLimit = { burst: 3, windowMs: 600 }; // a burst of 3, then one more every 200 ms
			});
			const sender = new ChatSession({ id: user.id, name: 'Sender', avatarKey: null });
			const other = new ChatSession({ id: reader.user.id, name: 'Reader', avatarKey: null });
			await connect(sender, cookie, room.id);
			await connect(other, reader.cookie, room.id);
			await until(() => sender.rev !== null && other.rev !== null, 'first pages');

			const burst = Array.from({ length: 16 }, (_, i) => `burst ${i + 1}`);
			for (const text of burst) sender.send(text);
			// While the room holds the queue back, the session says how many wait and for about how long.
			await until(() => sender.queueWait() !== null, 'rate-limit wait reported');
			const wait = sender.queueWait()!;
			expect(wait.count).toBeGreaterThan(0);
			expect(wait.count).toBeLessThanOrEqual(burst.length - 3);
			expect(wait.ms).toBeGreaterThan(0);
			expect(wait.ms).toBeLessThanOrEqual(wait.count * 200 + 50);
			// Typed while the burst still waits: it goes to the end of the queue.
			sender.send('typed later');
			const all = [...burst, 'typed later'];

			await until(() => other.messages.size === all.length, 'the other member has every message', 15_000);
			expect(other.ordered().map((m) => m.text)).toEqual(all);
			await until(() => sender.outbox.length === 0, 'outbox drained');
			expect(sender.ordered().map((m) => m.text)).toEqual(all);
			expect(sender.queueWait()).toBeNull();
			const page = await chatRoomStub(env, room.id).historyPage(undefined, 50);
			expect(page.messages.map((m) => m.text)).toEqual(all);
		}
	);

	it(
		'fails a send the room refuses for good at once, and the queue behind it still goes out',
		{ timeout: 20_000 },
		async () => {
			const { user, cookie } = await signedInUser(env);
			const room = await newRoom(env, user.id);
			await runInDurableObject(chatRoomStub(env, room.id), (r: ChatRoom) => {
				r.rateLimit = { burst: 2, windowMs: 400 };
			});
			const session = new ChatSession({ id: user.id, name: 'Me', avatarKey: null });
			await connect(session, cookie, room.id);
			await until(() => session.rev !== null, 'first page');
			const texts = ['a1', 'a2', 'a3', 'bell \u0007', 'a4', 'a5', 'a6'];
			const ids = texts.map((t) => session.send(t));
			await until(() => session.outbox.length === 1 && session.messages.size === 6, 'all but the refused one', 10_000);
			expect(session.ordered().map((m) => m.text)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
			expect(session.outbox.map((i) => [i.id, i.state, i.error])).toEqual([
				[ids[3], 'failed', expect.stringMatching(/control/)]
			]);
		}
	);

	it('settles a send or scroll-back the room answered with an error that carries only the frame seq', async () => {
		const { room, stub, reader, session } = await roomWithHistory(60);
		await connect(session, reader.cookie, room.id);
		await until(() => session.rev === 60, 'latest page');
		// Refused while validating (bad-message): the error frame has no message id, only the request's seq.
		const refused = session.send('ring \u0007 the bell');
		await until(() => session.outbox[0]?.state === 'failed', 'refused send');
		expect(session.outbox.map((i) => [i.id, i.error])).toEqual([[refused, expect.stringMatching(/control/)]]);

		await runInDurableObject(stub, (r: ChatRoom) => {
			// Fault injection: the next page read fails inside the room (an "internal" error frame).
			const store = (r as unknown as { store: { page: () => never } }).store;
			store.page = () => {
				throw new Error('injected page failure');
			};
		});
		expect(session.loadOlder()).toBe(true);
		await until(() => !session.loadingOlder, 'scroll-back settled');
		expect(session.lastError?.code).toBe('internal');
		expect(session.outbox.map((i) => i.state)).toEqual(['failed']);
	});
});
