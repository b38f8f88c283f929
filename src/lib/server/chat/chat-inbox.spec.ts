import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { chatInboxChannel } from '$lib/protocol/chat-inbox';
import { getDb } from '$lib/server/db';
import { chatRoomStub } from './access';
import type { ChatRoom } from './chat-room';
import { joinPublicRoom } from './rooms';
import { newRoom, openChat } from '../../../testing/chat';
import { openChannelSocket } from '../../../testing/channel-socket';
import { signedInUser } from '../../../testing/users';

const openInbox = (cookie: string) => openChannelSocket(chatInboxChannel, '/chat/inbox/ws', { cookie });
const asChatUser = (u: { id: string; displayName: string }) => ({ id: u.id, name: u.displayName, avatarKey: null });

async function twoRooms() {
	const [ada, bob, cy] = [await signedInUser(env), await signedInUser(env), await signedInUser(env)];
	const rooms = [await newRoom(env, ada.user.id), await newRoom(env, ada.user.id)];
	for (const r of rooms) for (const p of [bob, cy]) await joinPublicRoom(getDb(env), r.id, p.user.id);
	const post = async (roomId: string, id: string, text: string, who = ada) => {
		const result = await chatRoomStub(env, roomId).postMessage(asChatUser(who.user), id, text);
		if (!result.ok) throw new Error(result.message);
	};
	return { ada, bob, cy, rooms, post };
}

// Each test opens several sockets through the whole worker: more than the default 5 s on a busy 2-core machine.
describe('ChatInbox: the live feed of a person’s rooms', { timeout: 20_000 }, () => {
	it('lists the rooms on connect, then sends each room’s new summary and the person’s cursor moves', async () => {
		const { bob, rooms, post } = await twoRooms();
		await post(rooms[1]!.id, 'early', 'before bob opened chat');
		const inbox = await openInbox(bob.cookie);
		const snapshot = (await inbox.next('rooms')).payload.rooms;
		expect(snapshot.map((r) => r.roomId).sort()).toEqual(rooms.map((r) => r.id).sort());
		expect(snapshot.find((r) => r.roomId === rooms[1]!.id)).toMatchObject({
			name: rooms[1]!.name,
			lastSeq: 1,
			last: { text: 'before bob opened chat' },
			cursor: { seq: 0, unread: 1 }
		});

		await post(rooms[0]!.id, 'm1', 'hello bob');
		await post(rooms[0]!.id, 'm2', 'are you there?');
		const update = await inbox.next('room', (r) => r.payload.roomId === rooms[0]!.id && r.payload.lastSeq === 2);
		expect(update.payload).toMatchObject({ last: { text: 'are you there?' }, cursor: { unread: 2, mentions: 0 } });

		// Reading in a room (another tab) reaches the inbox too.
		const tab = await openChat(bob.cookie, rooms[0]!.id);
		await tab.next('cursor');
		tab.send('read', { seq: 2 });
		const read = await inbox.next('room', (r) => r.payload.roomId === rooms[0]!.id && r.payload.cursor.seq === 2);
		expect(read.payload.cursor).toEqual({ seq: 2, unread: 0, mentions: 0 });
	});

	it('notifies a mention once, never the author, and newly mentioned people of an edit only', async () => {
		const { ada, bob, cy, rooms, post } = await twoRooms();
		const room = rooms[0]!.id;
		const [adaInbox, bobInbox, cyInbox] = [
			await openInbox(ada.cookie),
			await openInbox(bob.cookie),
			await openInbox(cy.cookie)
		];
		for (const i of [adaInbox, bobInbox, cyInbox]) await i.next('rooms');

		await post(room, 'hey', `hey @${bob.user.username} and @${ada.user.username}`);
		const notice = await bobInbox.next('mention');
		expect(notice.payload).toMatchObject({
			roomId: room,
			roomName: rooms[0]!.name,
			seq: 1,
			messageId: 'hey',
			from: ada.user.displayName,
			text: `hey @${bob.user.username} and @${ada.user.username}`
		});
		const counted = await bobInbox.next('room', (r) => r.payload.cursor.mentions === 1);
		expect(counted.payload.cursor).toMatchObject({ unread: 1, mentions: 1 });

		// The edit adds cy and keeps bob: cy is told, bob is not told again.
		const socket = await openChat(ada.cookie, room);
		await socket.next('cursor');
		socket.send('edit', { id: 'hey', text: `hey @${bob.user.username}, @${cy.user.username}` });
		expect((await cyInbox.next('mention')).payload.messageId).toBe('hey');
		// The marker that the edit's lookup finished: a second message that mentions bob.
		await post(room, 'again', `@${bob.user.username} ping`);
		await bobInbox.next('mention', (m) => m.payload.messageId === 'again');
		expect(bobInbox.messages.filter((m) => m.type === 'mention').map((m) => m.payload.messageId)).toEqual([
			'hey',
			'again'
		]);
		// Ada mentioned herself: nothing, though her inbox saw both messages' summaries.
		await adaInbox.next('room', (r) => r.payload.lastSeq === 2);
		expect(adaInbox.messages.some((m) => m.type === 'mention')).toBe(false);
	});

	it('stops a room sending to an inbox with no page open', async () => {
		const { bob, rooms, post } = await twoRooms();
		const inbox = await openInbox(bob.cookie);
		await inbox.next('rooms');
		const stub = chatRoomStub(env, rooms[0]!.id);
		const watchers = () =>
			runInDurableObject(stub, (_room: ChatRoom, state) =>
				state.storage.sql
					.exec<{ user_id: string }>('SELECT user_id FROM inbox_watchers')
					.toArray()
					.map((w) => w.user_id)
			);
		expect(await watchers()).toEqual([bob.user.id]);
		inbox.ws.close();
		await inbox.closed;
		await post(rooms[0]!.id, 'm1', 'nobody is looking');
		// The inbox answers "no page open" to that update, and the room forgets it.
		for (let i = 0; i < 50 && (await watchers()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
		expect(await watchers()).toEqual([]);
	});

	it('refuses a visitor without a session', async () => {
		await expect(openChannelSocket(chatInboxChannel, '/chat/inbox/ws')).rejects.toThrow(/401/);
	});
});
