import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ChatSession } from '$lib/chat/chat-session';
import {
	connectSession,
	failNextInsert,
	openChat,
	until,
	roomOfTwo,
	reconnectingPair,
	quietRoom
} from '../../../testing/chat';
import type { ChatRoom } from './chat-room';
import { UNCONFIRMED_REVS } from './chat-store';

describe('early fan-out and a crash', () => {
	it('a listener that saw a message the room then lost resumes onto what the room stored', async () => {
		const { alice, bob, room, stub } = await roomOfTwo(env);
		const a = await openChat(alice.cookie, room.id);
		await a.next('history');
		const listener = new ChatSession({ id: bob.user.id, name: 'Bob', avatarKey: null });
		const first = await connectSession(listener, bob.cookie, room.id);
		const holds = async (ids: string[]) => {
			for (let i = 0; i < 200; i++) {
				if (
					listener
						.ordered()
						.map((m) => m.id)
						.join() === ids.join()
				)
					return;
				await new Promise((r) => setTimeout(r, 10));
			}
			throw new Error(`listener holds ${listener.ordered().map((m) => `${m.seq}:${m.id}`)}, wanted ${ids}`);
		};

		// The first message of an incarnation is stored first; the second goes out early.
		a.send('send', { id: 'm1', text: 'stored' });
		await a.next('message', (e) => e.payload.id === 'm1');
		await quietRoom(stub);
		a.send('send', { id: 'm2', text: 'shown, then lost' });
		await a.next('message', (e) => e.payload.id === 'm2');
		await holds(['m1', 'm2']);
		const ghost = listener.ordered()[1]!;

		// What a failed commit leaves: the listener saw m2, the room's storage never got it. The object
		// starts again (its sockets closed); before the listener is back, Alice posts the next message.
		await runInDurableObject(stub, (_room: ChatRoom, state) => {
			state.storage.sql.exec("DELETE FROM messages WHERE id = 'm2'");
		});
		await evictDurableObject(stub);
		first.ws.close(1000, 'test: the room restarted');
		await first.gone;
		const a2 = await openChat(alice.cookie, room.id);
		await a2.next('history');
		a2.send('send', { id: 'm3', text: 'after the restart' });
		const m3 = (await a2.next('message', (e) => e.payload.id === 'm3')).payload;
		// Same place as the lost message, a rev past anything the last incarnation could have shown.
		expect(m3.seq).toBe(ghost.seq);
		expect(m3.rev).toBe(ghost.rev + UNCONFIRMED_REVS);

		// Resuming from the lost message's rev: a fresh page, not "nothing new since then".
		const second = await connectSession(listener, bob.cookie, room.id);
		await holds(['m1', 'm3']);
		expect(listener.ordered().map((m) => m.text)).toEqual(['stored', 'after the restart']);
		second.ws.close(1000, 'done');
		a.ws.close(1000, 'done');
		a2.ws.close(1000, 'done');
	});

	it('a message sent early that the room cannot store closes every socket; everyone resumes onto what is stored', async () => {
		const two = await roomOfTwo(env);
		const { stub } = two;
		const { a, b } = reconnectingPair(two);
		a.session.send('first');
		await until(() => a.session.outbox.length === 0 && b.session.messages.size === 1, 'first stored', 5_000);
		await failNextInsert(stub); // the message goes out early, before the INSERT that fails
		a.session.send('second');
		// Both sockets closed and came back, and Alice's outbox sent it again.
		await until(
			() => a.connects >= 2 && b.connects >= 2 && a.session.outbox.length === 0 && b.session.messages.size === 2,
			'reconnect and resend',
			5_000
		);
		const stored = (await stub.historyPage(undefined, 10)).messages;
		const view = (held: ChatSession) => held.ordered().map((m) => `${m.seq}:${m.id}:${m.rev}:${m.text}`);
		expect(stored.map((m) => m.text)).toEqual(['first', 'second']);
		expect(view(b.session)).toEqual(stored.map((m) => `${m.seq}:${m.id}:${m.rev}:${m.text}`));
		expect(view(a.session)).toEqual(view(b.session));
		await a.stop();
		await b.stop();
	});
});
