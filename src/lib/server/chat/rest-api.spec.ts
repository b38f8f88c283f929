import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '$lib/protocol/chat';
import { CHAT_MAX_FRAME_BYTES, CHAT_RATE_BURST } from '$lib/protocol/chat-limits';
import { getDb } from '$lib/server/db';
import { delivered, newRoom, nextDelivered, openChat, ORIGIN } from '../../../testing/chat';
import { signedInUser } from '../../../testing/users';
import { joinPublicRoom } from './rooms';

function api(path: string, init: { cookie?: string; method?: string; body?: unknown; contentType?: string } = {}) {
	// Same-origin, as a browser fetch or a bot pointing at this host would be.
	const headers: Record<string, string> = { origin: ORIGIN };
	if (init.cookie) headers.cookie = init.cookie;
	if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
	return exports.default.fetch(
		new Request(`${ORIGIN}${path}`, {
			method: init.method ?? 'GET',
			headers,
			body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
		})
	);
}

describe('chat REST API (session cookie, same ChatRoom)', () => {
	it('POST /api/messages stores, numbers and broadcasts live to open sockets', async () => {
		const alice = await signedInUser(env);
		const bob = await signedInUser(env);
		const room = await newRoom(env, alice.user.id);
		await joinPublicRoom(getDb(env), room.id, bob.user.id);
		const socket = await openChat(bob.cookie, room.id);
		await socket.next('history');

		const res = await api('/api/messages', {
			cookie: alice.cookie,
			method: 'POST',
			body: { room: room.id, text: 'from a bot', id: 'bot-1' }
		});
		expect(res.status).toBe(201);
		const { message } = (await res.json()) as { message: ChatMessage };
		expect(message).toMatchObject({ seq: 1, id: 'bot-1', text: 'from a bot', user: { id: alice.user.id } });
		// The socket's compact form of the same message; its author, not online here, described just before.
		const live = await socket.next('message');
		const { author, ...fields } = live.payload;
		const { user, ...expected } = message;
		expect(fields).toEqual(expected);
		const described = socket.messages.flatMap((m) => (m.type === 'authors' ? m.payload.authors : []));
		expect(described.find((a) => a.n === author)?.user).toEqual(user);

		// Repeating the same id is idempotent: 200, same seq, no second broadcast.
		const again = await api('/api/messages', {
			cookie: alice.cookie,
			method: 'POST',
			body: { room: room.id, text: 'from a bot', id: 'bot-1' }
		});
		expect(again.status).toBe(200);
		expect(await again.json()).toMatchObject({ duplicate: true, message: { seq: 1 } });
		// Without an id the server makes one.
		const noId = await api('/api/messages', {
			cookie: alice.cookie,
			method: 'POST',
			body: { room: room.id, text: 'second' }
		});
		expect(noId.status).toBe(201);
		expect(((await noId.json()) as { message: ChatMessage }).message.seq).toBe(2);
		await nextDelivered(socket, (e) => e.seq === 2);
		expect(delivered(socket).map((d) => d.entry.seq)).toEqual([1, 2]);
	});

	it('GET /api/messages pages by `before` and `limit`', async () => {
		const alice = await signedInUser(env);
		const room = await newRoom(env, alice.user.id);
		for (let i = 1; i <= 7; i++) {
			const res = await api('/api/messages', {
				cookie: alice.cookie,
				method: 'POST',
				body: { room: room.id, text: `n${i}` }
			});
			expect(res.status).toBe(201);
		}
		const latest = (await (await api(`/api/messages?room=${room.id}&limit=3`, { cookie: alice.cookie })).json()) as {
			messages: ChatMessage[];
			hasMore: boolean;
			rev: number;
		};
		expect(latest.messages.map((m) => m.text)).toEqual(['n5', 'n6', 'n7']);
		expect(latest.hasMore).toBe(true);
		expect(latest.rev).toBe(7);
		const older = (await (
			await api(`/api/messages?room=${room.id}&before=5&limit=10`, { cookie: alice.cookie })
		).json()) as {
			messages: ChatMessage[];
			hasMore: boolean;
		};
		expect(older.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
		expect(older.hasMore).toBe(false);
		expect((await api(`/api/messages?room=${room.id}&limit=5000`, { cookie: alice.cookie })).status).toBe(400);
		expect((await api(`/api/messages?room=${room.id}&before=abc`, { cookie: alice.cookie })).status).toBe(400);
	});

	it('PUT /api/messages/:id/react toggles, or sets with `on`, and broadcasts', async () => {
		const alice = await signedInUser(env);
		const room = await newRoom(env, alice.user.id);
		const socket = await openChat(alice.cookie, room.id);
		await socket.next('history');
		await api('/api/messages', {
			cookie: alice.cookie,
			method: 'POST',
			body: { room: room.id, text: 'react here', id: 'm1' }
		});
		const put = (body: unknown) => api('/api/messages/m1/react', { cookie: alice.cookie, method: 'PUT', body });

		const on = await put({ room: room.id, emoji: '🎉' });
		expect(on.status).toBe(200);
		expect(((await on.json()) as { message: ChatMessage }).message.reactions).toEqual([
			{ emoji: '🎉', users: [alice.user.id] }
		]);
		expect((await socket.next('react')).payload.reactions).toHaveLength(1);
		// `on: true` again changes nothing (idempotent PUT); a toggle then removes it.
		const still = await put({ room: room.id, emoji: '🎉', on: true });
		expect(((await still.json()) as { message: ChatMessage }).message.reactions).toHaveLength(1);
		const off = await put({ room: room.id, emoji: '🎉' });
		expect(((await off.json()) as { message: ChatMessage }).message.reactions).toEqual([]);
		await socket.next('react', (e) => e.payload.reactions.length === 0);
		expect(socket.messages.filter((e) => e.type === 'react')).toHaveLength(2);

		expect((await put({ room: room.id, emoji: 'not an emoji' })).status).toBe(400);
		const missing = await api('/api/messages/nope/react', {
			cookie: alice.cookie,
			method: 'PUT',
			body: { room: room.id, emoji: '👍' }
		});
		expect(missing.status).toBe(404);
	});

	it('refuses the unauthenticated, non-members, bad bodies and floods with clear errors', async () => {
		const alice = await signedInUser(env);
		const outsider = await signedInUser(env);
		const priv = await newRoom(env, alice.user.id, 'private');
		const pub = await newRoom(env, alice.user.id, 'public');
		const post = (cookie: string | undefined, body: unknown, contentType?: string) =>
			api('/api/messages', { cookie, method: 'POST', body, contentType });

		expect((await post(undefined, { room: pub.id, text: 'hi' })).status).toBe(401);
		expect((await api(`/api/messages?room=${pub.id}`)).status).toBe(401);
		// Private rooms are invisible to outsiders (404); public rooms are readable but need joining to write.
		expect((await post(outsider.cookie, { room: priv.id, text: 'hi' })).status).toBe(404);
		expect((await api(`/api/messages?room=${priv.id}`, { cookie: outsider.cookie })).status).toBe(404);
		expect((await api(`/api/messages?room=${pub.id}`, { cookie: outsider.cookie })).status).toBe(200);
		const forbidden = await post(outsider.cookie, { room: pub.id, text: 'hi' });
		expect(forbidden.status).toBe(403);
		expect(await forbidden.json()).toMatchObject({ error: { code: 'forbidden' } });

		expect((await post(alice.cookie, `room=${pub.id}&text=hi`, 'application/x-www-form-urlencoded')).status).toBe(415);
		expect((await post(alice.cookie, '{not json')).status).toBe(400);
		expect((await post(alice.cookie, { room: pub.id, text: '   ' })).status).toBe(400);
		expect((await post(alice.cookie, { room: pub.id, text: 'x'.repeat(4097) })).status).toBe(400);
		expect((await post(alice.cookie, { room: pub.id, text: 'hi', extra: 1 })).status).toBe(400);
		const huge = await post(alice.cookie, { room: pub.id, text: 'x'.repeat(CHAT_MAX_FRAME_BYTES) });
		expect(huge.status).toBe(413);
		expect(await huge.json()).toMatchObject({ error: { code: 'too-large' } });
		// None of the refused bodies was stored.
		expect(
			((await (await api(`/api/messages?room=${pub.id}`, { cookie: alice.cookie })).json()) as { messages: unknown[] })
				.messages
		).toEqual([]);

		for (let i = 0; i < CHAT_RATE_BURST; i++)
			expect((await post(alice.cookie, { room: pub.id, text: `ok ${i}` })).status).toBe(201);
		const limited = await post(alice.cookie, { room: pub.id, text: 'one too many' });
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await limited.json()).toMatchObject({ error: { code: 'rate-limited' } });
	});
});
