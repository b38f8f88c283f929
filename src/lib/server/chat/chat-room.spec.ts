import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
	CHAT_HISTORY_BURST,
	CHAT_MAX_FRAME_BYTES,
	CHAT_RATE_BURST,
	CHAT_TYPING_TTL_MS
} from '$lib/protocol/chat-limits';
import { randomMessageId } from '$lib/random-id';
import { loadCodec } from '$lib/server/codec';
import { chatRoomStub } from './access';
import { parseRateLimit, type ChatRoom } from './chat-room';
import { UNCONFIRMED_REVS } from './chat-store';
import { RoomAuthors } from '$lib/chat/room-authors';
import { delivered, newRoom, nextDelivered, openChat, upgrade, type ChatSocket } from '../../../testing/chat';
import { signedInUser } from '../../../testing/users';
import { joinPublicRoom } from './rooms';
import { getDb } from '$lib/server/db';

async function roomWith(count: number) {
	const users = await Promise.all(Array.from({ length: count }, () => signedInUser(env)));
	const room = await newRoom(env, users[0]!.user.id);
	for (const u of users.slice(1)) await joinPublicRoom(getDb(env), room.id, u.user.id);
	return { users, room, stub: chatRoomStub(env, room.id) };
}

/** Lets a test post many messages quickly; the default budget is tested on its own below. */
async function unlimited(stub: DurableObjectStub<ChatRoom>) {
	await runInDurableObject(stub, (room: ChatRoom) => {
		room.rateLimit = { burst: 100_000, windowMs: 1_000 };
	});
}

describe('ChatRoom Durable Object', () => {
	it('sends presence and the latest page on join, then numbers messages 1, 2, 3 … for everyone', async () => {
		const { users, room, stub } = await roomWith(2);
		await unlimited(stub);
		const a = await openChat(users[0]!.cookie, room.id);
		const first = await a.next('history');
		expect(first.payload).toMatchObject({ kind: 'latest', messages: [], hasMore: false, rev: 0 });
		expect((await a.next('presence')).payload.online!.map((e) => e.user.id)).toEqual([users[0]!.user.id]);
		const b = await openChat(users[1]!.cookie, room.id);
		await b.next('history');
		const joined = await a.next('presence', (e) => e.payload.joined?.user.id === users[1]!.user.id);
		expect(joined.payload.online).toBeUndefined(); // a change, not the whole list again
		expect((await b.next('presence')).payload.online!.map((e) => e.user.id).sort()).toEqual(
			[users[0]!.user.id, users[1]!.user.id].sort()
		);

		for (let i = 0; i < 10; i++) {
			a.send('send', { id: `a-${i}`, text: `from a ${i}` });
			b.send('send', { id: `b-${i}`, text: `from b ${i}` });
		}
		// Forty in a rush: the room sends some alone and gathers the rest (LiveBatch); each socket gets each
		// message once, in seq order, whatever frames carried them.
		await nextDelivered(a, (e) => e.seq === 20);
		await nextDelivered(b, (e) => e.seq === 20);
		const seen = (s: typeof a) => delivered(s).map((d) => d.entry);
		expect(seen(a).map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
		expect(seen(b).map((m) => m.id)).toEqual(seen(a).map((m) => m.id));
		// Each sender's own order is kept.
		const aOrder = seen(a)
			.filter((m) => m.id.startsWith('a-'))
			.map((m) => m.id);
		expect(aOrder).toEqual(Array.from({ length: 10 }, (_, i) => `a-${i}`));
		// A sender's copy answers its send: a frame of its own carries its request number, a batch its id;
		// everyone else's frame has seq 0. No separate ack: each socket got each message once (above).
		for (const d of delivered(a).filter((d) => d.entry.id.startsWith('a-'))) {
			if (!d.batched) expect(d.seq).toBeGreaterThan(0);
		}
		for (const d of delivered(b).filter((d) => d.entry.id.startsWith('a-'))) expect(d.seq).toBe(0);
	});

	it('sends a typical message in one frame of at most 150 bytes to each socket, the sender included', async () => {
		const { users, room } = await roomWith(2);
		const [a, b] = [await openChat(users[0]!.cookie, room.id), await openChat(users[1]!.cookie, room.id)];
		await a.next('history');
		await b.next('history');
		const text = 'a1b2c3d4 — the quick brown fox jumps over the lazy dog, a typical short chat line.';
		const id = randomMessageId();
		const seq = a.send('send', { id, text });
		const mine = await a.next('message', (e) => e.seq === seq);
		const theirs = await b.next('message', (e) => e.payload.id === id);
		expect(b.raw[b.messages.indexOf(theirs)]!.byteLength).toBeLessThanOrEqual(150);
		expect(a.raw[a.messages.indexOf(mine)]!.byteLength).toBeLessThanOrEqual(151);
		// Its author is named by number, described in the presence the sockets got on join.
		const presence = b.messages.flatMap((m) => (m.type === 'presence' ? (m.payload.online ?? []) : []));
		expect(presence.find((e) => e.n === theirs.payload.author)?.user.id).toBe(users[0]!.user.id);
		// One frame for it on the sender's socket too: its copy is the ack.
		a.send('send', { id: 'later', text: 'and one more' });
		await nextDelivered(a, (e) => e.id === 'later');
		expect(delivered(a).filter((d) => d.entry.id === id)).toHaveLength(1);
	});

	it('describes an author who is not online before their message (a REST post), and only then', async () => {
		const { users, room, stub } = await roomWith(2);
		const a = await openChat(users[0]!.cookie, room.id);
		await a.next('history');
		const bot = { id: users[1]!.user.id, name: 'Bot', avatarKey: null };
		await stub.postMessage(bot, 'from-rest', 'posted over REST', room.id);
		const message = await nextDelivered(a, (e) => e.id === 'from-rest');
		const before = a.messages.slice(0, message.frame);
		const described = before.flatMap((m) => (m.type === 'authors' ? m.payload.authors : []));
		expect(described.find((e) => e.n === message.entry.author)?.user).toEqual(bot);
		// The same author again: already described to every socket here, so no second `authors` frame.
		await stub.postMessage(bot, 'again', 'and again', room.id);
		await nextDelivered(a, (e) => e.id === 'again');
		expect(a.messages.filter((m) => m.type === 'authors')).toHaveLength(1);
	});

	it('treats a repeated client id as the same message (idempotent send)', async () => {
		const { users, room } = await roomWith(2);
		const a = await openChat(users[0]!.cookie, room.id);
		const b = await openChat(users[1]!.cookie, room.id);
		await a.next('history');
		await b.next('history');
		const s1 = a.send('send', { id: 'same-id', text: 'once' });
		const first = await a.next('message', (e) => e.seq === s1);
		const s2 = a.send('send', { id: 'same-id', text: 'once' });
		// The resend (its ack was lost, say) is answered with the stored message, to the sender alone.
		const again = await a.next('message', (e) => e.seq === s2);
		expect(again.payload).toEqual(first.payload);
		// Someone else cannot reuse (or overwrite) that id.
		const s3 = b.send('send', { id: 'same-id', text: 'hijack' });
		expect((await b.next('error', (e) => e.seq === s3)).payload).toMatchObject({ code: 'id-taken', ref: 'same-id' });
		b.send('history', { before: 100 });
		const page = await b.next('history', (e) => e.payload.kind === 'older');
		expect(page.payload.messages.map((m) => [m.id, m.text])).toEqual([['same-id', 'once']]);
		expect(b.messages.filter((e) => e.type === 'message')).toHaveLength(1);
	});

	it('answers a resend after a lost ack as the stored message even when the budget is spent, for free', async () => {
		const { users, room } = await roomWith(1);
		const a = await openChat(users[0]!.cookie, room.id);
		await a.next('history');
		for (let i = 0; i < CHAT_RATE_BURST; i++) a.send('send', { id: `lost-${i}`, text: `#${i}` });
		await nextDelivered(a, (e) => e.id === `lost-${CHAT_RATE_BURST - 1}`);
		const over = a.send('send', { id: 'one-more', text: 'over the budget' });
		expect((await a.next('error', (e) => e.seq === over)).payload).toMatchObject({ code: 'rate-limited' });
		// The ack of lost-3 never arrived (say): the client sends it again, with the budget spent.
		const again = a.send('send', { id: 'lost-3', text: '#3' });
		expect((await a.next('message', (e) => e.seq === again)).payload).toMatchObject({ seq: 4, id: 'lost-3' });
		// Still nothing stored twice, and the refused one was not stored.
		a.send('history', { before: 1000 });
		const page = (await a.next('history', (e) => e.payload.kind === 'older')).payload;
		expect(page.messages.map((m) => m.id)).toEqual(Array.from({ length: CHAT_RATE_BURST }, (_, i) => `lost-${i}`));
	});

	it('acks only what is stored: after an eviction the acked messages are there and no seq is reused', async () => {
		const { users, room, stub } = await roomWith(1);
		const a = await openChat(users[0]!.cookie, room.id);
		await a.next('history');
		a.send('send', { id: 'kept-1', text: 'before the eviction' });
		a.send('send', { id: 'kept-2', text: 'also before' });
		expect((await nextDelivered(a, (e) => e.id === 'kept-2')).entry).toMatchObject({ seq: 2, rev: 2 });
		await evictDurableObject(stub); // the instance and its memory are gone; SQLite is what remains
		const b = await openChat(users[0]!.cookie, room.id);
		const page = (await b.next('history')).payload;
		expect(page.messages.map((m) => [m.seq, m.id])).toEqual([
			[1, 'kept-1'],
			[2, 'kept-2']
		]);
		b.send('send', { id: 'kept-3', text: 'after' });
		// The seq goes on; revs skip what the last incarnation might have shown early (ChatStore.mayShowEarly).
		expect((await b.next('message', (e) => e.seq > 0 && e.payload.id === 'kept-3')).payload).toMatchObject({
			seq: 3,
			rev: 3 + UNCONFIRMED_REVS
		});
	});

	it('serves every join the same latest page until the room changes, then the new one', async () => {
		const { users, room } = await roomWith(1);
		const a = await openChat(users[0]!.cookie, room.id);
		const first = await a.next('history');
		const b = await openChat(users[0]!.cookie, room.id);
		const second = await b.next('history');
		expect(new Uint8Array(b.raw[b.messages.indexOf(second)]!)).toEqual(
			new Uint8Array(a.raw[a.messages.indexOf(first)]!)
		);
		const sent = a.send('send', { id: 'new', text: 'this changes the room' });
		await a.next('message', (e) => e.seq === sent);
		const c = await openChat(users[0]!.cookie, room.id);
		expect((await c.next('history')).payload).toMatchObject({ rev: 1, messages: [{ id: 'new', seq: 1 }] });
	});

	it('pages history backwards by seq cursor', async () => {
		const { users, room, stub } = await roomWith(1);
		await unlimited(stub);
		const me = { id: users[0]!.user.id, name: 'Poster', avatarKey: null };
		for (let i = 1; i <= 120; i++) await stub.postMessage(me, `m${i}`, `message ${i}`);
		const a = await openChat(users[0]!.cookie, room.id);
		const latest = (await a.next('history')).payload;
		expect(latest.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
		expect(latest).toMatchObject({ kind: 'latest', hasMore: true, rev: 120 });
		a.send('history', { before: 71 });
		const older = (await a.next('history', (e) => e.payload.kind === 'older')).payload;
		expect(older.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 21 + i));
		expect(older.hasMore).toBe(true);
		a.send('history', { before: 21, limit: 200 });
		const oldest = (await a.next('history', (e) => e.payload.kind === 'older' && e.payload.messages[0]?.seq === 1))
			.payload;
		expect(oldest.messages).toHaveLength(20);
		expect(oldest.hasMore).toBe(false);
		// Over the page cap is a schema error, answered without closing the socket.
		const bad = a.send('history', { before: 10, limit: 10_000 });
		expect((await a.next('error', (e) => e.seq === bad)).payload.code).toBe('bad-message');
	});

	it('toggles reactions per user per emoji, and broadcasts each change', async () => {
		const { users, room } = await roomWith(2);
		const [a, b] = [await openChat(users[0]!.cookie, room.id), await openChat(users[1]!.cookie, room.id)];
		await a.next('history');
		await b.next('history');
		a.send('send', { id: 'r1', text: 'react to me' });
		await b.next('message');
		const [ua, ub] = [users[0]!.user.id, users[1]!.user.id];
		a.send('react', { id: 'r1', emoji: '👍' });
		expect((await b.next('react')).payload.reactions).toEqual([{ emoji: '👍', users: [ua] }]);
		b.send('react', { id: 'r1', emoji: '👍' });
		b.send('react', { id: 'r1', emoji: '🎉' });
		const both = await a.next('react', (e) => e.payload.reactions.length === 2);
		expect(both.payload.reactions).toEqual([
			{ emoji: '👍', users: [ua, ub] },
			{ emoji: '🎉', users: [ub] }
		]);
		a.send('react', { id: 'r1', emoji: '👍' }); // toggles off
		const off = await b.next(
			'react',
			(e) => e.payload.reactions.length === 2 && e.payload.reactions[0]!.users.length === 1
		);
		expect(off.payload.reactions).toEqual([
			{ emoji: '👍', users: [ub] },
			{ emoji: '🎉', users: [ub] }
		]);
		const notEmoji = a.send('react', { id: 'r1', emoji: 'lol' });
		expect((await a.next('error', (e) => e.seq === notEmoji)).payload.code).toBe('bad-message');
		const missing = a.send('react', { id: 'nope', emoji: '👍' });
		expect((await a.next('error', (e) => e.seq === missing)).payload.code).toBe('not-found');
	});

	it('edits and deletes only your own messages; a delete leaves a tombstone in place', async () => {
		const { users, room } = await roomWith(2);
		const [a, b] = [await openChat(users[0]!.cookie, room.id), await openChat(users[1]!.cookie, room.id)];
		await a.next('history');
		await b.next('history');
		a.send('send', { id: 'e1', text: 'tpyo' });
		a.send('send', { id: 'e2', text: 'second' });
		await nextDelivered(b, (e) => e.id === 'e2');
		a.send('edit', { id: 'e1', text: 'typo' });
		const edited = (await b.next('edit')).payload;
		expect(edited).toMatchObject({ id: 'e1', seq: 1, text: 'typo', deleted: false });
		expect(edited.editedAt).toBeGreaterThan(0);
		const notMine = b.send('edit', { id: 'e1', text: 'mine now' });
		expect((await b.next('error', (e) => e.seq === notMine)).payload).toMatchObject({ code: 'forbidden', ref: 'e1' });
		const notMineDelete = b.send('delete', { id: 'e1' });
		expect((await b.next('error', (e) => e.seq === notMineDelete)).payload.code).toBe('forbidden');

		a.send('react', { id: 'e1', emoji: '❤️' });
		await b.next('react');
		a.send('delete', { id: 'e1' });
		const tomb = (await b.next('delete')).payload;
		expect(tomb).toMatchObject({ id: 'e1', seq: 1, text: '', deleted: true, reactions: [] });
		const gone = a.send('edit', { id: 'e1', text: 'back' });
		expect((await a.next('error', (e) => e.seq === gone)).payload.code).toBe('gone');
		const c = await openChat(users[1]!.cookie, room.id);
		const page = (await c.next('history')).payload.messages;
		expect(page.map((m) => [m.seq, m.deleted, m.text])).toEqual([
			[1, true, ''],
			[2, false, 'second']
		]);
	});

	it('keeps presence exact across joins, leaves, several tabs and a hibernation wake-up', async () => {
		const { users, room, stub } = await roomWith(3);
		const [u0, u1, u2] = users.map((u) => u.user.id);
		/** Who a socket believes is online: its presence frames replayed by the browser's own RoomAuthors. */
		const onlineSeenBy = (s: ChatSocket) => {
			const view = new RoomAuthors();
			for (const m of s.messages) if (m.type === 'presence') view.presence(m.payload);
			return view
				.onlineUsers()
				.map((u) => u.id)
				.sort();
		};
		const joinsOf = (s: ChatSocket, userId: string) =>
			s.messages.filter((m) => m.type === 'presence' && m.payload.joined?.user.id === userId).length;
		const a = await openChat(users[0]!.cookie, room.id);
		await a.next('history');
		const b1 = await openChat(users[1]!.cookie, room.id);
		const b2 = await openChat(users[1]!.cookie, room.id); // a second tab of the same person
		await b2.next('history');
		const c = await openChat(users[2]!.cookie, room.id);
		await a.next('presence', (e) => e.payload.joined?.user.id === u2); // after b2's join was handled
		await c.next('presence');
		expect(joinsOf(a, u1)).toBe(1);
		expect(onlineSeenBy(a)).toEqual([u0, u1, u2].sort());
		expect(onlineSeenBy(c)).toEqual([u0, u1, u2].sort());

		// One of two tabs closes: still online, nobody is told otherwise.
		b1.ws.close(1000);
		await b1.closed;
		const marker = a.send('send', { id: 'marker', text: 'after the first tab closed' });
		await a.next('message', (e) => e.seq === marker);
		expect(a.messages.filter((m) => m.type === 'presence' && m.payload.left !== undefined)).toEqual([]);
		expect(onlineSeenBy(a)).toEqual([u0, u1, u2].sort());

		b2.send('typing', {});
		expect((await a.next('typing')).payload.users.map((u) => u.id)).toEqual([u1]);
		await evictDurableObject(stub); // sockets hibernate; the instance and its memory are gone
		// Rebuilt from the attachments: the last tab leaving is announced, once.
		b2.ws.close(1000);
		await a.next('presence', (e) => e.payload.left !== undefined);
		await c.next('presence', (e) => e.payload.left !== undefined);
		expect(onlineSeenBy(a)).toEqual([u0, u2].sort());
		expect(onlineSeenBy(c)).toEqual([u0, u2].sort());
		// A new tab after the wake-up gets exactly who is here, and is announced to no one (u0 was online).
		const a2 = await openChat(users[0]!.cookie, room.id);
		expect((await a2.next('presence')).payload.online!.map((e) => e.user.id).sort()).toEqual([u0, u2].sort());
		const after = a.send('send', { id: 'after-sleep', text: 'awake' });
		// A message after hibernation still gets the next sequence number.
		expect((await a.next('message', (e) => e.seq === after)).payload.seq).toBe(2);
		await c.next('message', (e) => e.payload.id === 'after-sleep');
		expect(joinsOf(c, u0)).toBe(0);
		expect(a.messages.filter((m) => m.type === 'presence' && m.payload.left !== undefined)).toHaveLength(1);
	});

	it('rebuilds typing from socket attachments after hibernation', async () => {
		const { users, room, stub } = await roomWith(3);
		const a = await openChat(users[0]!.cookie, room.id);
		const b = await openChat(users[1]!.cookie, room.id);
		await a.next('presence', (e) => e.payload.joined !== undefined);
		b.send('typing', {});
		const typing = await a.next('typing');
		expect(typing.payload.users.map((u) => u.id)).toEqual([users[1]!.user.id]);
		expect(typing.payload.users[0]!.ms).toBeLessThanOrEqual(CHAT_TYPING_TTL_MS);
		await evictDurableObject(stub);
		const c = await openChat(users[2]!.cookie, room.id);
		const stillTyping = await c.next('typing');
		expect(stillTyping.payload.users.map((u) => u.id)).toEqual([users[1]!.user.id]);
	});

	it('ends a typing indicator when its author sends', async () => {
		const { users, room } = await roomWith(2);
		const [a, b] = [await openChat(users[0]!.cookie, room.id), await openChat(users[1]!.cookie, room.id)];
		await a.next('presence', (e) => e.payload.joined !== undefined);
		b.send('typing', {});
		await a.next('typing', (e) => e.payload.users.length === 1);
		b.send('send', { id: 't1', text: 'done typing' });
		await a.next('typing', (e) => e.payload.users.length === 0);
	});

	it('charges scroll-back to its own budget: a member asking for pages without end gets rate-limited', async () => {
		const { users, room } = await roomWith(1);
		const a = await openChat(users[0]!.cookie, room.id);
		await a.next('history');
		const seqs = Array.from({ length: CHAT_HISTORY_BURST + 1 }, () => a.send('history', { before: 1000 }));
		const limited = await a.next('error');
		expect(limited.seq).toBe(seqs.at(-1));
		expect(limited.payload.code).toBe('rate-limited');
		expect(limited.payload.retryAfterMs).toBeGreaterThan(0);
		expect(a.messages.filter((e) => e.type === 'history' && e.payload.kind === 'older')).toHaveLength(
			CHAT_HISTORY_BURST
		);
		// Sends have their own budget: still allowed.
		a.send('send', { id: 'after-history', text: 'still here' });
		await a.next('message', (e) => e.seq > 0 && e.payload.id === 'after-history');
	});

	it('rate-limits a burst with an error frame, and the socket stays usable', async () => {
		const { users, room } = await roomWith(1);
		const a = await openChat(users[0]!.cookie, room.id);
		await a.next('history');
		for (let i = 0; i <= CHAT_RATE_BURST; i++) a.send('send', { id: `burst-${i}`, text: `#${i}` });
		const limited = await a.next('error');
		expect(limited.payload).toMatchObject({ code: 'rate-limited', ref: `burst-${CHAT_RATE_BURST}` });
		expect(limited.payload.retryAfterMs).toBeGreaterThan(0);
		// The refill interval, so a client can say how long its whole queue will take (default 10 per 10 s).
		expect(limited.payload.everyMs).toBe(1_000);
		// Those within the budget were stored and sent, each once (some perhaps gathered, after the error).
		await nextDelivered(a, (e) => e.id === `burst-${CHAT_RATE_BURST - 1}`);
		expect(delivered(a).map((d) => d.entry.id)).toEqual(
			Array.from({ length: CHAT_RATE_BURST }, (_, i) => `burst-${i}`)
		);
		a.send('history', { before: 1000 });
		expect((await a.next('history', (e) => e.payload.kind === 'older')).payload.messages).toHaveLength(CHAT_RATE_BURST);
	});

	it('answers malformed frames with an error and keeps the socket; closes over-cap frames with 1009', async () => {
		const { users, room } = await roomWith(1);
		const a = await openChat(users[0]!.cookie, room.id);
		await a.next('history');
		a.ws.send(new Uint8Array([1, 2, 3, 4, 5, 250, 251]));
		expect((await a.next('error')).payload.code).toBe('bad-frame');
		// A real codec frame with one payload byte flipped fails its CRC-32.
		const corrupt = a.wire.encodeClient('send', { id: 'crc', text: 'checksummed' }, 99);
		corrupt[corrupt.length - 1]! ^= 0xff;
		a.ws.send(corrupt);
		expect((await a.next('error', (e) => e.payload.message.includes('crc'))).payload.code).toBe('bad-frame');
		a.ws.send('{"type":"send"}');
		expect((await a.next('error', (e) => e.payload.message.includes('binary'))).payload.code).toBe('bad-frame');
		const unknown = (await loadCodec()).encode(200, 7, new TextEncoder().encode('{}'));
		a.ws.send(unknown);
		expect((await a.next('error', (e) => e.seq === 7)).payload.code).toBe('unknown-type');
		const tooLong = a.send('send', { id: 'long', text: 'x'.repeat(4097) });
		expect((await a.next('error', (e) => e.seq === tooLong)).payload).toMatchObject({ code: 'bad-message' });
		const fine = a.send('send', { id: 'fine', text: 'still here' });
		expect((await a.next('message', (e) => e.seq === fine)).payload.id).toBe('fine');

		a.ws.send(new Uint8Array(CHAT_MAX_FRAME_BYTES + 1));
		expect((await a.closed).code).toBe(1009);
	});

	it('refuses sockets from non-members and unknown rooms; leaving closes open sockets', async () => {
		const owner = await signedInUser(env);
		const outsider = await signedInUser(env);
		const priv = await newRoom(env, owner.user.id, 'private');
		const pub = await newRoom(env, owner.user.id, 'public');
		expect((await upgrade(outsider.cookie, priv.id)).status).toBe(404);
		expect((await upgrade(outsider.cookie, pub.id)).status).toBe(403);
		expect((await upgrade(outsider.cookie, 'no-such-room')).status).toBe(404);
		expect((await upgrade(null, pub.id)).status).toBe(401);
		await joinPublicRoom(getDb(env), pub.id, outsider.user.id);
		const s = await openChat(outsider.cookie, pub.id);
		await s.next('history');
		await chatRoomStub(env, pub.id).removeMember(outsider.user.id);
		expect((await s.closed).code).toBe(1008);
	});

	it('keeps the messages of a room created before versioned schemas (the first migration step is idempotent)', async () => {
		const { users, room, stub } = await roomWith(1);
		const me = { id: users[0]!.user.id, name: 'Before', avatarKey: null };
		await stub.postMessage(me, 'old-1', 'written by an older deploy');
		await stub.react(me, 'old-1', '👍');
		await runInDurableObject(stub, (_room: ChatRoom, state) => {
			expect(state.storage.sql.exec("SELECT version FROM _schema WHERE part = 'chat-store'").one().version).toBe(1);
			// What a room of an older deploy holds: the tables and rows, but no _schema record.
			state.storage.sql.exec("DELETE FROM _schema WHERE part = 'chat-store'");
		});
		await evictDurableObject(stub); // the next event constructs the object (and its ChatStore) anew
		const a = await openChat(users[0]!.cookie, room.id);
		const page = (await a.next('history')).payload;
		expect(page.messages.map((m) => [m.seq, m.id, m.text, m.reactions])).toEqual([
			[1, 'old-1', 'written by an older deploy', [{ emoji: '👍', users: [me.id] }]]
		]);
		expect(page.rev).toBe(2 + UNCONFIRMED_REVS); // the first incarnation could have sent messages early
		const sent = a.send('send', { id: 'new-1', text: 'after the upgrade' });
		expect((await a.next('message', (e) => e.seq === sent)).payload).toMatchObject({
			seq: 2,
			rev: 3 + UNCONFIRMED_REVS
		});
		await runInDurableObject(stub, (_room: ChatRoom, state) => {
			expect(state.storage.sql.exec("SELECT version FROM _schema WHERE part = 'chat-store'").one().version).toBe(1);
		});
	});

	it('reads a CHAT_RATE_LIMIT override as "<burst>/<window ms>" and ignores anything else', () => {
		expect(parseRateLimit('20/5000')).toEqual({ burst: 20, windowMs: 5000 });
		expect(parseRateLimit(' 3 / 1000 ')).toEqual({ burst: 3, windowMs: 1000 });
		for (const bad of [undefined, '', '0/1000', '10', 'ten/1000', '10/0', '-1/5'])
			expect(parseRateLimit(bad)).toBeNull();
	});
});
