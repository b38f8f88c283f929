import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { openChat, until, roomOfTwo, reconnectingPair, quietRoom } from '../../../testing/chat';
import type { ChatRoom } from './chat-room';
import { LiveBatch } from './live-batch';

describe('LiveBatch', () => {
	it('gathers after a message went out, sends what gathered on the turn, and a full batch at once', () => {
		const sent: number[][] = [];
		const turns: (() => void)[] = [];
		const batch = new LiveBatch<number>((entries) => sent.push(entries), 3);
		batch.later = (run) => turns.push(run);
		const turn = () => turns.shift()!();
		expect(batch.gathering).toBe(false);
		// A message went out alone: what comes before the next turn waits for it.
		batch.gather();
		batch.gather();
		expect(turns).toHaveLength(1);
		batch.add(1);
		batch.add(2);
		expect(sent).toEqual([]);
		expect(batch.size).toBe(2);
		turn();
		expect(sent).toEqual([[1, 2]]);
		// That turn found messages: gathering goes on, and a full batch leaves without waiting for it.
		expect(batch.gathering).toBe(true);
		expect(turns).toHaveLength(1);
		for (const n of [3, 4, 5]) batch.add(n);
		expect(sent).toEqual([
			[1, 2],
			[3, 4, 5]
		]);
		batch.add(6);
		batch.flush();
		batch.flush();
		expect(sent).toEqual([[1, 2], [3, 4, 5], [6]]);
		// A turn that finds nothing ends it: the room sends the next message alone, at once.
		turn();
		expect(batch.gathering).toBe(false);
		expect(turns).toHaveLength(0);
		expect(batch.size).toBe(0);
	});
});

describe('a busy room', () => {
	/**
	 * Makes the room gather as if its messages came faster than it sends them: its turn is stretched to
	 * 200 ms (a real room's is the next turn of the event loop), and it gathers from now on.
	 */
	const busy = (stub: DurableObjectStub<ChatRoom>) =>
		runInDurableObject(stub, (room: ChatRoom) => {
			room.live.later = (run) => setTimeout(run, 200);
			room.live.gather();
		});

	it('sends its new messages in batches after storing them; a sender’s message in one is its ack', async () => {
		const { alice, bob, room, stub } = await roomOfTwo(env);
		const listener = await openChat(bob.cookie, room.id);
		await listener.next('history');
		const sender = await openChat(alice.cookie, room.id);
		await sender.next('history');

		// Five requests in one go on a raw socket while the room gathers: it stores them one by one and
		// sends them on its turn.
		await busy(stub);
		const ids = ['m1', 'm2', 'm3', 'm4', 'm5'];
		for (const id of ids) sender.send('send', { id, text: `text of ${id}` });
		const batched = (socket: typeof listener) =>
			socket.messages.flatMap((m) => (m.type === 'messages' ? m.payload : []));
		const heard = async (socket: typeof listener) => {
			await until(() => batched(socket).length >= ids.length, 'five messages in batches', 5_000);
			return batched(socket);
		};
		const got = await heard(listener);
		expect(got.map((m) => m.id)).toEqual(ids);
		expect(got.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
		// Fewer frames than messages, and none of them went out as a `message` frame of its own.
		expect(listener.messages.filter((m) => m.type === 'messages').length).toBeLessThan(ids.length);
		expect(listener.messages.some((m) => m.type === 'message')).toBe(false);
		// The sender gets the same batches (no separate ack frame), and every row is stored.
		expect((await heard(sender)).map((m) => m.id)).toEqual(ids);
		expect(sender.messages.some((m) => m.type === 'message')).toBe(false);
		expect((await stub.historyPage(undefined, 10)).messages.map((m) => m.id)).toEqual(ids);

		// An edit of the last one comes after the batch that holds it.
		sender.send('edit', { id: 'm5', text: 'fixed' });
		const edit = await listener.next('edit');
		expect(edit.payload.text).toBe('fixed');
		const order = listener.messages.map((m) => (m.type === 'messages' ? m.payload.map((e) => e.id).join('+') : m.type));
		expect(order.indexOf('edit')).toBeGreaterThan(order.findIndex((kind) => kind.includes('m5')));

		// Once a turn finds nothing waiting, the room stops gathering: a lone message goes out at once, as a
		// `message` frame of its own (the sender's copy its ack).
		await quietRoom(stub);
		sender.send('send', { id: 'm6', text: 'alone' });
		expect((await listener.next('message')).payload.id).toBe('m6');
		expect((await sender.next('message')).payload.id).toBe('m6');
		sender.ws.close(1000, 'done');
		listener.ws.close(1000, 'done');
	});

	it('the browser client drains its outbox on batched acks and shows what everyone sent', async () => {
		const two = await roomOfTwo(env);
		const { stub } = two;
		const { a, b } = reconnectingPair(two);
		await until(() => a.connects === 1 && b.connects === 1, 'both connected', 5_000);
		await busy(stub);
		for (const text of ['one', 'two', 'three']) a.session.send(text);
		b.session.send('four');
		await until(
			() => a.session.outbox.length === 0 && b.session.outbox.length === 0 && b.session.messages.size === 4,
			'outboxes drained, four messages shown',
			5_000
		);
		const view = (session: typeof a.session) => session.ordered().map((m) => `${m.seq}:${m.text}`);
		expect(view(a.session)).toEqual(view(b.session));
		// Alice's outbox sends one at a time, each after the last was acked: hers are in her order.
		expect(
			a.session
				.ordered()
				.map((m) => m.text)
				.filter((text) => text !== 'four')
		).toEqual(['one', 'two', 'three']);
		expect(a.connects).toBe(1);
		await a.stop();
		await b.stop();
	});
});
