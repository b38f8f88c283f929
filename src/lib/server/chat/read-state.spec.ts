import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CHAT_PREVIEW_MAX_CHARS } from '$lib/protocol/chat-unread-limits';
import { getDb } from '$lib/server/db';
import { chatRoomStub } from './access';
import type { ChatRoom } from './chat-room';
import { joinPublicRoom } from './rooms';
import { newRoom, nextDelivered, openChat } from '../../../testing/chat';
import { newSession, signedInUser } from '../../../testing/users';

const chatUser = (u: { id: string; displayName: string }) => ({ id: u.id, name: u.displayName, avatarKey: null });

/** A room of an owner and members (the ChatRoom's send budget raised, so a test can post quickly). */
async function room(...usernames: (string | undefined)[]) {
	const people: Awaited<ReturnType<typeof signedInUser>>[] = [];
	for (const name of usernames) people.push(await signedInUser(env, name));
	const created = await newRoom(env, people[0]!.user.id);
	for (const p of people.slice(1)) await joinPublicRoom(getDb(env), created.id, p.user.id);
	const stub = chatRoomStub(env, created.id);
	await runInDurableObject(stub, (r: ChatRoom) => {
		r.rateLimit = { burst: 10_000, windowMs: 1_000 };
	});
	const post = async (who: number, id: string, text: string) => {
		const result = await stub.postMessage(chatUser(people[who]!.user), id, text);
		if (!result.ok) throw new Error(result.message);
		return result.message;
	};
	/** Waits until every @mention lookup the room started has been recorded. */
	const settled = () => runInDurableObject(stub, (r: ChatRoom) => r.unread.settled());
	const summary = (who: number) => stub.summary(people[who]!.user.id, 0);
	return { people, id: created.id, stub, post, settled, summary };
}

describe('read cursors in the ChatRoom', () => {
	it('are monotonic, clamped to the last message and shared by all sockets of a person', async () => {
		const r = await room(undefined, undefined);
		const bob = r.people[1]!;
		const tab1 = await openChat(bob.cookie, r.id);
		const tab2 = await openChat((await newSession(env, bob.user.id)).cookie, r.id);
		// The cursor comes with the join, after the history, with no request of its own.
		expect((await tab1.next('cursor')).payload).toEqual({ seq: 0, unread: 0, mentions: 0 });
		await tab2.next('cursor');
		for (let i = 1; i <= 3; i++) await r.post(0, `m${i}`, `message ${i}`);
		await nextDelivered(tab2, (m) => m.seq === 3);

		tab1.send('read', { seq: 2 });
		// Both tabs hear it: two devices of one person agree.
		for (const tab of [tab1, tab2])
			expect((await tab.next('cursor', (c) => c.payload.seq === 2)).payload).toEqual({
				seq: 2,
				unread: 1,
				mentions: 0
			});

		// An older cursor (a slow tab, a replayed frame) never moves it back: answered, not broadcast.
		const old = tab2.send('read', { seq: 1 });
		expect((await tab2.next('cursor', (c) => c.seq === old)).payload.seq).toBe(2);
		// Past the last message is clamped to it.
		tab2.send('read', { seq: 1_000_000 });
		const clamped = await tab1.next('cursor', (c) => c.payload.seq === 3);
		expect(clamped.payload).toEqual({ seq: 3, unread: 0, mentions: 0 });
		// tab1 got exactly two moves: the "read 1" was answered on tab2 only.
		expect(tab1.messages.filter((m) => m.type === 'cursor').map((m) => m.payload.seq)).toEqual([0, 2, 3]);

		// A reconnect reads the stored cursor at join.
		const again = await openChat(bob.cookie, r.id);
		expect((await again.next('cursor')).payload).toEqual({ seq: 3, unread: 0, mentions: 0 });
		const bad = again.send('read', { seq: -1 });
		expect((await again.next('error', (e) => e.seq === bad)).payload.code).toBe('bad-message');
	});

	it('start where a newcomer joined, and never count what the person posts themselves', async () => {
		const r = await room(undefined);
		await r.post(0, 'old', 'before anyone else joined');
		const late = await signedInUser(env);
		await new Promise((resolve) => setTimeout(resolve, 5)); // joinedAt strictly after the first post
		await joinPublicRoom(getDb(env), r.id, late.user.id);
		await r.post(0, 'new', 'after');
		const socket = await openChat(late.cookie, r.id);
		expect((await socket.next('cursor')).payload).toEqual({ seq: 1, unread: 1, mentions: 0 });
		// The owner posted both and never read: their own messages are not unread.
		expect((await r.summary(0)).cursor).toEqual({ seq: 0, unread: 0, mentions: 0 });
	});
});

describe('unread and mention counts', () => {
	it('stay exact under edits and deletes, and the preview is the newest live message', async () => {
		const r = await room(undefined, undefined);
		const bobName = r.people[1]!.user.username;
		const [ada] = [r.people[0]!.user];
		await r.post(0, 'a1', `hi @${bobName}, look`);
		await r.post(0, 'a2', 'second');
		await r.post(0, 'a3', `third\n\n  ${'x'.repeat(400)}`);
		await r.settled();
		let s = await r.summary(1);
		expect(s).toMatchObject({ lastSeq: 3, cursor: { seq: 0, unread: 3, mentions: 1 } });
		expect(s.last?.name).toBe(ada.displayName);
		expect(Array.from(s.last!.text)).toHaveLength(CHAT_PREVIEW_MAX_CHARS);
		expect(s.last!.text).toMatch(/^third x+…$/);

		const edit = async (id: string, text: string) => {
			const socket = await openChat(r.people[0]!.cookie, r.id);
			await socket.next('cursor');
			socket.send('edit', { id, text });
			await socket.next('edit', (e) => e.payload.id === id && e.payload.text === text);
			socket.ws.close();
			await r.settled();
		};
		await edit('a1', 'hi everyone'); // the mention is edited away
		expect((await r.summary(1)).cursor).toMatchObject({ unread: 3, mentions: 0 });
		await edit('a1', `hi again @${bobName}`);
		expect((await r.summary(1)).cursor).toMatchObject({ unread: 3, mentions: 1 });

		const del = await openChat(r.people[0]!.cookie, r.id);
		del.send('delete', { id: 'a3' });
		await del.next('delete');
		s = await r.summary(1);
		expect(s.cursor).toMatchObject({ unread: 2, mentions: 1 });
		expect(s.last).toEqual({ name: ada.displayName, text: 'second' });
		del.send('delete', { id: 'a1' });
		await del.next('delete', (e) => e.payload.id === 'a1');
		expect((await r.summary(1)).cursor).toMatchObject({ unread: 1, mentions: 0 });
	});

	it('count mentions of room members only, never the author, with prototype names as usernames', async () => {
		const r = await room(undefined, '__proto__', 'constructor');
		const outsider = await signedInUser(env, 'tostring'); // a real account, not in the room
		// "constructor" leaves: a mention of a former member reaches nobody.
		await getDb(env).run(`DELETE FROM chat_memberships WHERE user_id = '${r.people[2]!.user.id}'`);
		const author = r.people[0]!.user.username;
		await r.post(0, 'm1', `@__proto__ @constructor @tostring @${author} @nobody_here \`@__proto__\``);
		await r.settled();
		expect((await r.summary(1)).cursor.mentions).toBe(1);
		expect((await r.summary(2)).cursor.mentions).toBe(0);
		expect((await r.stub.summary(outsider.user.id, 0)).cursor.mentions).toBe(0);
		expect((await r.summary(0)).cursor.mentions).toBe(0);
		// Code mentions nobody: a second message with @__proto__ only in code adds nothing.
		await r.post(0, 'm2', 'see `@__proto__` and\n```\n@__proto__\n```');
		await r.settled();
		expect((await r.summary(1)).cursor).toMatchObject({ unread: 2, mentions: 1 });
	});

	it("a join's counts are reused only while nothing they count changed (cursor, messages, resolved mentions)", async () => {
		const r = await room(undefined, 'joiner');
		const [ada, joiner] = [r.people[0]!.user, r.people[1]!.user];
		await r.post(0, 'c1', 'first');
		// As each join asks: before the mention in c2 is resolved (its D1 lookup runs after the post) and after.
		const counts = await runInDurableObject(r.stub, async (room: ChatRoom) => {
			const first = room.unread.cursor(joiner.id, 0);
			const again = room.unread.cursor(joiner.id, 0);
			await room.postMessage(chatUser(ada), 'c2', '@joiner look');
			const posted = room.unread.cursor(joiner.id, 0);
			await room.unread.settled();
			return { first, again, posted, resolved: room.unread.cursor(joiner.id, 0) };
		});
		expect(counts.first).toEqual({ seq: 0, unread: 1, mentions: 0 });
		expect(counts.again).toEqual(counts.first);
		expect(counts.posted).toEqual({ seq: 0, unread: 2, mentions: 0 });
		expect(counts.resolved).toEqual({ seq: 0, unread: 2, mentions: 1 });
		// A read moves the cursor: the next join counts from there.
		const tab = await openChat(r.people[1]!.cookie, r.id);
		expect((await tab.next('cursor')).payload).toEqual({ seq: 0, unread: 2, mentions: 1 });
		tab.send('read', { seq: 2 });
		await tab.next('cursor', (c) => c.payload.seq === 2);
		const next = await openChat(r.people[1]!.cookie, r.id);
		expect((await next.next('cursor')).payload).toEqual({ seq: 2, unread: 0, mentions: 0 });
	});
});
