import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { relayChannel } from '$lib/protocol/relay';
import { CloseCode } from '$lib/protocol/close-codes';
import { loadCodec } from '$lib/server/codec';
import { MAX_SOCKETS_PER_IDENTITY } from './realtime-object';
import { openChannelSocket, ORIGIN, upgrade, type UpgradeOptions } from '../../../testing/channel-socket';
import { signedInUser } from '../../../testing/users';

const connect = (channel: string, options: UpgradeOptions = {}) =>
	upgrade(relayChannel, `/realtime/${channel}/ws`, options);
const open = (cookie: string, channel: string) =>
	openChannelSocket(relayChannel, `/realtime/${channel}/ws`, { cookie });
const errorOf = async (response: Response) =>
	((await response.json()) as { error: { code: string; message: string } }).error;

describe('WebSocket upgrade through the worker into a Durable Object', () => {
	it('relays a message between two signed-in sockets, as codec frames both ways', async () => {
		const alice = await signedInUser(env);
		const bob = await signedInUser(env);
		const a = await open(alice.cookie, 'relay-1');
		const b = await open(bob.cookie, 'relay-1');
		await a.next('welcome');
		await b.next('welcome');

		a.send('say', { text: 'hello bob' });
		const said = await b.next('said');
		expect(said.payload).toMatchObject({
			text: 'hello bob',
			from: { id: alice.user.id, name: alice.user.displayName }
		});
		a.ws.close(1000);
		b.ws.close(1000);
	});

	it('refuses an upgrade without a session with 401', async () => {
		const response = await connect('relay-2');
		expect(response.status).toBe(401);
		expect(await errorOf(response)).toEqual({ code: 'unauthenticated', message: 'Sign in first.' });
	});

	it('refuses a forged session cookie with 401', async () => {
		const response = await connect('relay-3', { cookie: 'murmur_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
		expect(response.status).toBe(401);
	});

	it('refuses a foreign Origin with 403 before looking at who is asking', async () => {
		const { cookie } = await signedInUser(env);
		const response = await connect('relay-4', { cookie, origin: 'https://evil.example' });
		expect(response.status).toBe(403);
		expect((await errorOf(response)).message).toMatch(/ALLOWED_ORIGINS/);
		// Anonymous and cross-site: still the Origin answer, not 401 (the order is upgrade → Origin → identity).
		expect((await connect('relay-4', { origin: 'https://evil.example' })).status).toBe(403);
	});

	it('answers a plain GET on a socket route with 426', async () => {
		const response = await exports.default.fetch(new Request(`${ORIGIN}/realtime/x/ws`));
		expect(response.status).toBe(426);
		expect((await errorOf(response)).code).toBe('upgrade-required');
	});

	it('closes a client of another protocol version with "reload", and one without a version too', async () => {
		const { cookie } = await signedInUser(env);
		for (const version of [relayChannel.version + 1, null]) {
			const response = await connect('relay-7', { cookie, version });
			expect(response.status).toBe(101);
			const ws = response.webSocket!;
			const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
			ws.accept();
			const event = await closed;
			expect(event.code).toBe(CloseCode.reload);
			expect(event.reason).toMatch(/Reload/);
		}
	});

	it('keeps the socket usable after a text frame, a corrupt frame, an unknown type and a bad payload', async () => {
		const { cookie } = await signedInUser(env);
		const socket = await open(cookie, 'relay-5');
		const codec = await loadCodec();
		socket.ws.send('{"type":"say","text":"json text"}');
		expect((await socket.next('error')).payload.code).toBe('bad-frame');
		const corrupt = socket.wire.encodeClient('say', { text: 'x' }, 3);
		corrupt[corrupt.length - 1] ^= 0xff;
		socket.ws.send(corrupt);
		await socket.next('error', (m) => m.payload.code === 'bad-frame', { from: 1 });
		socket.ws.send(codec.encodeJson(77, 9, { text: 'x' }));
		expect(await socket.next('error', (m) => m.payload.code === 'unknown-type')).toMatchObject({ seq: 9 });
		const seq = socket.send('say', { text: '' });
		expect(await socket.next('error', (m) => m.payload.code === 'bad-message')).toMatchObject({ seq });
		socket.send('say', { text: 'still here' });
		expect((await socket.next('said')).payload).toMatchObject({ text: 'still here' });
		socket.ws.close(1000);
	});

	it('closes with CloseCode.reload on a frame of the old codec format, which the old page can read', async () => {
		const { cookie } = await signedInUser(env);
		const socket = await open(cookie, 'relay-v1');
		await socket.next('welcome');
		// Version 1 (main before frame format 2): 24-byte header, CRC of the payload only.
		socket.ws.send(
			Uint8Array.from([77, 82, 1, 1, 0, 0, 7, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 123, 125])
		);
		const closed = await socket.closed;
		expect(closed.code).toBe(CloseCode.reload);
		expect(closed.reason).toContain('frame format version 1; this codec reads version 2');
	});

	it('caps the sockets one person holds on one object, without capping anyone else', async () => {
		const ada = await signedInUser(env);
		const bo = await signedInUser(env);
		const sockets = [];
		for (let i = 0; i < MAX_SOCKETS_PER_IDENTITY; i++) sockets.push(await open(ada.cookie, 'relay-8'));
		const refused = await connect('relay-8', { cookie: ada.cookie });
		expect(refused.status).toBe(429);
		expect(await refused.text()).toMatch(/At most 16 open connections/);
		const other = await open(bo.cookie, 'relay-8');
		await other.next('welcome');
		// A closed socket frees its place.
		const first = sockets.shift()!;
		first.ws.close(1000);
		await first.closed;
		const again = await open(ada.cookie, 'relay-8');
		await again.next('welcome');
		for (const s of [...sockets, other, again]) s.ws.close(1000);
	});

	it('closes with 1009 when a frame exceeds the size cap', async () => {
		const { cookie } = await signedInUser(env);
		const socket = await open(cookie, 'relay-6');
		socket.ws.send(new Uint8Array(relayChannel.maxInboundBytes + 1));
		expect((await socket.closed).code).toBe(CloseCode.tooBig);
	});
});
