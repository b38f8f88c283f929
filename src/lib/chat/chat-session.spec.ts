import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { chatRoomStub } from '$lib/server/chat/access';
import type { ChatRoom } from '$lib/server/chat/chat-room';
import { loadServerCodec } from '$lib/server/chat/wire-codec';
import { newRoom, upgrade } from '../../testing/chat';
import { signedInUser } from '../../testing/users';
import { ChatSession } from './chat-session';

/** Connects a session over a real socket; resolves once `until` holds. */
async function connect(session: ChatSession, cookie: string, roomId: string) {
	const response = await upgrade(cookie, roomId, session.rev ?? undefined);
	const ws = response.webSocket!;
	ws.binaryType = 'arraybuffer';
	ws.accept();
	ws.addEventListener('message', (e) => session.received(e.data as ArrayBuffer));
	ws.addEventListener('close', () => session.closed());
	session.opened((bytes) => ws.send(bytes));
	return ws;
}

async function until(check: () => boolean, what: string) {
	for (let i = 0; i < 100; i++) {
		if (check()) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`timed out: ${what}`);
}

describe('ChatSession (the browser client core) against a real room', () => {
	it('queues messages written offline and delivers each exactly once, in order, on connect', async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const session = new ChatSession(await loadServerCodec(), { id: user.id, name: 'Me', avatarKey: null });
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

	it('marks a refused send failed with the reason, and a retry delivers it', { timeout: 15_000 }, async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const stub = chatRoomStub(env, room.id);
		await runInDurableObject(stub, (r: ChatRoom) => {
			r.rateLimit = { burst: 1, windowMs: 1_000 }; // one message per second
		});
		const session = new ChatSession(await loadServerCodec(), { id: user.id, name: 'Me', avatarKey: null });
		await connect(session, cookie, room.id);
		await until(() => session.rev !== null, 'first page');
		session.send('allowed');
		const refused = session.send('refused');
		await until(() => session.outbox.some((i) => i.state === 'failed'), 'failure');
		const failed = session.outbox.find((i) => i.id === refused)!;
		expect(failed.error).toMatch(/Slow down/);
		expect(session.pending().map((i) => i.text)).toEqual(['refused']);

		await new Promise((resolve) => setTimeout(resolve, 1_100)); // the budget refills
		session.retry(refused);
		await until(() => session.outbox.length === 0 && session.messages.size === 2, 'retry');
		expect(session.ordered().map((m) => m.text)).toEqual(['allowed', 'refused']);
	});
});
