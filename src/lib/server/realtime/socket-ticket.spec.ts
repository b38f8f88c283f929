import { env, exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { relayChannel } from '$lib/protocol/relay';
import { CloseCode } from '$lib/protocol/close-codes';
import { ChannelWire, VERSION_PARAM } from '$lib/protocol/channel';
import { TICKET_PARAM, TICKET_REQUEST_HEADER } from '$lib/protocol/socket-ticket';
import { loadCodec } from '$lib/server/codec';
import realtimeWorker from '../../../realtime-worker';
import { ORIGIN } from '../../../testing/channel-socket';
import { signedInUser } from '../../../testing/users';
import { withIdentity } from './identity';
import { forgetSigningKey, GENERATED_SECRET_KEY } from '$lib/server/auth/workspace/secrets';
import { issueTicket } from './socket-ticket';

/**
 * Way b of the Pages shape, through the real parts: the app's socket route (the whole SvelteKit handler)
 * hands out a ticket, and the realtime worker's entry (src/realtime-worker.ts, here bound to this test's
 * Durable Objects) takes the upgrade with it. PUBLIC_REALTIME_URL is set for this project in vitest.config.ts.
 */
const askTicket = (path: string, cookie: string | null, origin = ORIGIN) =>
	exports.default.fetch(
		new Request(new URL(path, ORIGIN), {
			headers: { [TICKET_REQUEST_HEADER]: '1', origin, ...(cookie ? { cookie } : {}) }
		})
	);

async function ticketUrl(path: string, cookie: string): Promise<URL> {
	const response = await askTicket(path, cookie);
	expect(response.status).toBe(200);
	expect(response.headers.get('cache-control')).toBe('no-store');
	return new URL(((await response.json()) as { url: string }).url);
}

/** An upgrade on the realtime worker, as the browser opens it from the Pages origin. */
function openOnRealtime(url: URL, origin = ORIGIN, version: number | null = relayChannel.version) {
	const target = new URL(url);
	if (version !== null) target.searchParams.set(VERSION_PARAM, String(version));
	const request = new Request(target, { headers: { upgrade: 'websocket', origin } });
	return realtimeWorker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env);
}

const closeOf = (response: Response) =>
	new Promise<CloseEvent>((resolve) => {
		const ws = response.webSocket!;
		ws.addEventListener('close', resolve);
		ws.accept();
	});

describe('socket tickets (Pages shape, sockets on the realtime worker)', () => {
	it('the app hands a signed-in member a ticket URL on the realtime worker, which opens the object once', async () => {
		const alice = await signedInUser(env);
		const url = await ticketUrl('/realtime/t-1/ws?since=3', alice.cookie);
		expect(url.origin).toBe('http://realtime.test');
		expect(url.pathname).toBe('/relay/t-1/ws');
		expect(url.searchParams.get('since')).toBe('3');
		expect(url.searchParams.get(TICKET_PARAM)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

		const opened = await openOnRealtime(url);
		expect(opened.status).toBe(101);
		const wire = new ChannelWire(relayChannel, await loadCodec());
		const ws = opened.webSocket!;
		ws.binaryType = 'arraybuffer';
		const welcome = new Promise<string>((resolve) =>
			ws.addEventListener('message', (e) => resolve(wire.decodeServer(e.data as ArrayBuffer).type))
		);
		ws.accept();
		expect(await welcome).toBe('welcome');

		// The same ticket again (copied from a URL or a log): the object has already redeemed it.
		const replay = await openOnRealtime(url);
		expect(replay.status).toBe(401);
		expect(await replay.text()).toMatch(/already used/);
		ws.close(1000);
	});

	it('refuses a ticket for another object, another app, a forged one and none, before any object', async () => {
		const bob = await signedInUser(env);
		const url = await ticketUrl('/realtime/t-2/ws', bob.cookie);
		const elsewhere = new URL(url);
		elsewhere.pathname = '/relay/t-other/ws';
		expect((await openOnRealtime(elsewhere)).status).toBe(403);
		const otherApp = new URL(url);
		otherApp.pathname = '/chat/t-2/ws';
		expect((await openOnRealtime(otherApp)).status).toBe(401);
		const forged = new URL(url);
		forged.searchParams.set(TICKET_PARAM, `${url.searchParams.get(TICKET_PARAM)!.slice(0, -2)}xx`);
		expect((await openOnRealtime(forged)).status).toBe(401);
		const none = new URL(url);
		none.searchParams.delete(TICKET_PARAM);
		expect((await openOnRealtime(none)).status).toBe(401);
		// Still unused after all that: the genuine URL opens.
		expect((await openOnRealtime(url)).status).toBe(101);
	});

	it('the realtime worker refuses a foreign Origin, and the app gives no ticket to one or to nobody', async () => {
		const carol = await signedInUser(env);
		const url = await ticketUrl('/realtime/t-3/ws', carol.cookie);
		expect((await openOnRealtime(url, 'https://evil.example')).status).toBe(403);
		expect((await askTicket('/realtime/t-3/ws', carol.cookie, 'https://evil.example')).status).toBe(403);
		expect((await askTicket('/realtime/t-3/ws', null)).status).toBe(401);
	});

	it('a page of another protocol version is told to reload by the realtime worker', async () => {
		const dave = await signedInUser(env);
		const url = await ticketUrl('/realtime/t-4/ws', dave.cookie);
		const response = await openOnRealtime(url, ORIGIN, relayChannel.version + 1);
		expect(response.status).toBe(101);
		expect((await closeOf(response)).code).toBe(CloseCode.reload);
	});

	it('an expired ticket is refused', async () => {
		const { user } = await signedInUser(env);
		const identity = { kind: 'user' as const, id: user.id, name: user.displayName };
		const ticket = await issueTicket(env, { identity, channel: 'relay', object: 't-5' }, -1);
		const url = new URL(`http://realtime.test/relay/t-5/ws?${TICKET_PARAM}=${ticket}`);
		expect((await openOnRealtime(url)).status).toBe(401);
	});

	// Was: the realtime worker generated a secret of its own when it found none, cached it and wrote it to KV,
	// so every ticket the app signed was refused (and the app's next isolate could pick up the wrong one).
	it("the realtime worker never makes a signing secret: without one it refuses clearly, then uses the app's", async () => {
		const erin = await signedInUser(env);
		const url = await ticketUrl('/realtime/t-7/ws', erin.cookie);
		const appSecret = await env.WORKSPACE_CLAIMS_VERSION.get(GENERATED_SECRET_KEY);
		expect(appSecret).toMatch(/^[0-9a-f]{64}$/); // no JWT_SECRET in the tests: the app generated one
		// A fresh realtime isolate to which KV does not show the app's secret yet.
		await env.WORKSPACE_CLAIMS_VERSION.delete(GENERATED_SECRET_KEY);
		forgetSigningKey();
		const logged: string[] = [];
		const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void logged.push(line));
		try {
			expect((await openOnRealtime(url)).status).toBe(401);
		} finally {
			spy.mockRestore();
		}
		expect(logged.join('\n')).toMatch(/no signing secret.*JWT_SECRET on both/);
		expect(await env.WORKSPACE_CLAIMS_VERSION.get(GENERATED_SECRET_KEY)).toBeNull();
		// Once KV shows the app's secret, the same (still unredeemed) ticket opens: absence was not cached.
		await env.WORKSPACE_CLAIMS_VERSION.put(GENERATED_SECRET_KEY, appSecret!);
		const opened = await openOnRealtime(url);
		expect(opened.status).toBe(101);
		opened.webSocket!.accept();
		opened.webSocket!.close(1000);
	});

	it('the object itself tells a page of another protocol version to reload (app and objects deploy apart)', async () => {
		// Way a: a Pages Function of one deploy forwards to the realtime worker of another.
		const stub = env.RELAY_ROOM.get(env.RELAY_ROOM.idFromName('t-6'));
		const request = new Request(`${ORIGIN}/realtime/t-6/ws?${VERSION_PARAM}=${relayChannel.version + 1}`, {
			headers: { upgrade: 'websocket' }
		});
		const response = await stub.fetch(withIdentity(request, { kind: 'user', id: 'u-6', name: 'Six' }));
		expect(response.status).toBe(101);
		const close = await closeOf(response);
		expect(close.code).toBe(CloseCode.reload);
		expect(close.reason).toMatch(/^Reload: this page speaks relay protocol/);
	});
});
