import { exports } from 'cloudflare:workers';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signedInUser } from '../../../testing/users';
import type { RelayServerMessage } from '$lib/protocol/relay';

const ORIGIN = 'http://localhost:8787';

async function connect(cookie: string | null, channel: string, origin: string | null = ORIGIN) {
	const headers: Record<string, string> = { Upgrade: 'websocket' };
	if (cookie) headers.cookie = cookie;
	if (origin) headers.origin = origin;
	return exports.default.fetch(new Request(`${ORIGIN}/realtime/${channel}/ws`, { headers }));
}

/** Accepts the client end and collects parsed messages, so tests can await the n-th one. */
function listen(ws: WebSocket) {
	const received: RelayServerMessage[] = [];
	const waiters: (() => void)[] = [];
	ws.accept();
	ws.addEventListener('message', (event) => {
		received.push(JSON.parse(event.data as string));
		waiters.splice(0).forEach((wake) => wake());
	});
	const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
	async function next(match: (m: RelayServerMessage) => boolean) {
		for (;;) {
			const found = received.find(match);
			if (found) return found;
			await new Promise<void>((resolve) => waiters.push(resolve));
		}
	}
	return { received, next, closed };
}

describe('WebSocket upgrade through the worker into a Durable Object', () => {
	it('relays a message between two signed-in sockets', async () => {
		const alice = await signedInUser(env);
		const bob = await signedInUser(env);
		const a = await connect(alice.cookie, 'relay-1');
		const b = await connect(bob.cookie, 'relay-1');
		expect(a.status).toBe(101);
		expect(b.status).toBe(101);
		const aliceSocket = listen(a.webSocket!);
		const bobSocket = listen(b.webSocket!);
		await aliceSocket.next((m) => m.type === 'welcome');
		await bobSocket.next((m) => m.type === 'welcome');

		a.webSocket!.send(JSON.stringify({ type: 'say', text: 'hello bob' }));
		const said = await bobSocket.next((m) => m.type === 'said');
		expect(said).toMatchObject({
			type: 'said',
			text: 'hello bob',
			from: { id: alice.user.id, name: alice.user.displayName }
		});
		a.webSocket!.close(1000);
		b.webSocket!.close(1000);
	});

	it('refuses an upgrade without a session with 401', async () => {
		const response = await connect(null, 'relay-2');
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ error: 'Sign in first.' });
	});

	it('refuses a forged session cookie with 401', async () => {
		const response = await connect('murmur_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'relay-3');
		expect(response.status).toBe(401);
	});

	it('refuses a foreign Origin with 403, even with a valid session', async () => {
		const { cookie } = await signedInUser(env);
		const response = await connect(cookie, 'relay-4', 'https://evil.example');
		expect(response.status).toBe(403);
		expect(((await response.json()) as { error: string }).error).toMatch(/ALLOWED_ORIGINS/);
	});

	it('answers a plain GET on a socket route with 426', async () => {
		const response = await exports.default.fetch(new Request(`${ORIGIN}/realtime/x/ws`));
		expect(response.status).toBe(426);
	});

	it('keeps the socket usable after a malformed frame', async () => {
		const { cookie } = await signedInUser(env);
		const ws = (await connect(cookie, 'relay-5')).webSocket!;
		const socket = listen(ws);
		ws.send('{not json');
		expect(await socket.next((m) => m.type === 'error')).toMatchObject({ code: 'bad-frame' });
		ws.send(JSON.stringify({ type: 'say', text: '' }));
		await socket.next((m) => m.type === 'error' && m.code === 'bad-message');
		ws.send(JSON.stringify({ type: 'say', text: 'still here' }));
		expect(await socket.next((m) => m.type === 'said')).toMatchObject({ text: 'still here' });
		ws.close(1000);
	});

	it('closes with 1009 when a frame exceeds the size cap', async () => {
		const { cookie } = await signedInUser(env);
		const ws = (await connect(cookie, 'relay-6')).webSocket!;
		const socket = listen(ws);
		ws.send('x'.repeat(5000));
		const closed = await socket.closed;
		expect(closed.code).toBe(1009);
	});
});
