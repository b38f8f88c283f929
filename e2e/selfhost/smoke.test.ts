import { request as httpRequest } from 'node:http';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { VERSION_PARAM } from '../../src/lib/protocol/channel';
import { relayChannel } from '../../src/lib/protocol/relay';
import { signUp, uniqueName } from '../support/auth';
import { createSwarm } from '../support/swarm';
import { selfhostServer } from './server';

/**
 * Murmur self-hosted on bare workerd, end to end in real Chromium: sign-up (D1 through the stores worker,
 * including drizzle's batch), an avatar upload (R2 stand-in), a chat message seen by a second browser (room
 * directory in D1, history in the ChatRoom's on-disk SQLite, frames through the WASM codec), then a restart of
 * the workerd process, after which the session, the avatar, the chat history and the live path must all still
 * work, and the app compiles a job module through the transpiler worker (murmur.capnp's TRANSPILER). The
 * data directory is fresh, so migrations run on start.
 */
const server = selfhostServer();

test.beforeAll(async () => {
	await server.start();
});

test.afterAll(async () => {
	await server.stop();
});

const ONE_PIXEL_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9mWAAAAABJRU5ErkJggg==',
	'base64'
);

test('sign-up, avatar and a chat message survive a workerd restart', async ({ browser }) => {
	const alice = await newPage(browser);
	const bob = await newPage(browser);
	const { displayName: aliceName } = await signUp(alice, undefined, 'Alice Selfhost');
	await signUp(bob, undefined, 'Bob Selfhost');

	const avatarSrc = await uploadAvatar(alice);

	const roomName = uniqueName('room');
	await alice.goto('/chat');
	await alice.getByLabel('Room name').fill(roomName);
	await alice.getByRole('button', { name: 'Create room' }).click();
	await expect(alice.getByRole('heading', { level: 1 })).toHaveText(roomName);
	const roomPath = new URL(alice.url()).pathname;
	await chatConnected(alice);
	await bob.goto('/chat');
	await bob.getByRole('button', { name: `Join ${roomName}` }).click();
	await expect(bob).toHaveURL(roomPath);
	await chatConnected(bob);

	await chatSay(alice, 'hello before the restart');
	await expect(bob.getByTestId('message-list').getByTestId('message-text')).toHaveText(['hello before the restart']);

	await server.restart();

	// The message is in the ChatRoom's storage on disk: a fresh load of the room gets it as history.
	await bob.goto(roomPath);
	await chatConnected(bob);
	await expect(bob.getByTestId('message-list').getByTestId('message-text')).toHaveText(['hello before the restart']);
	// Alice's socket reconnects by itself (partysocket), and live delivery works again.
	await chatConnected(alice);
	await chatSay(alice, 'hello after the restart');
	await expect(bob.getByTestId('message-list').getByTestId('message-text')).toHaveText([
		'hello before the restart',
		'hello after the restart'
	]);

	// Search through the queue stand-in: the message from before the restart was indexed then, the one
	// after it by the restarted process; both are found.
	await expect(async () => {
		await bob.goto('/chat/search?q=restart');
		await expect(bob.getByTestId('search-result')).toHaveCount(2, { timeout: 1_000 });
	}).toPass({ timeout: 30_000 });
	await expect(bob.getByTestId('search-result').locator('mark')).toHaveText(['restart', 'restart']);

	// The relay smoke page still works between two browsers.
	await openRealtime(alice);
	await openRealtime(bob);
	await say(alice, 'relay after the restart');
	await expect(bob.getByTestId('relay-log')).toContainText('Alice Selfhost: relay after the restart');
	// permessage-deflate is refused worker-wide (no_web_socket_compression; wasm/README.md "Compression
	// layers"): Chromium offers it on every socket, and here, with no dev proxy in front, the app answers.
	expect(await negotiatedExtensions(alice)).toBe('');

	// The session cookie still names a session in the (restarted) D1 stand-in.
	await alice.goto('/profile');
	await expect(alice.getByTestId('nav-user')).toHaveText(aliceName);
	// The avatar uploaded before the restart is still served from the R2 stand-in.
	const avatar = alice.getByTestId('profile-avatar').locator('img');
	await expect(avatar).toHaveAttribute('src', avatarSrc);
	await expect.poll(() => avatar.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);

	// The app reaches the transpiler worker through murmur.capnp's TRANSPILER binding (the job editor's Check).
	await createSwarm(alice);
	const compile = (source: string) =>
		alice.request.post(`${new URL(alice.url()).pathname.replace(/^\/swarm\//, '/api/swarm/')}/jobs/compile`, {
			data: { source },
			headers: { origin: new URL(alice.url()).origin }
		});
	const job = 'export const split = (n: number) => [n], run = (c: number) => c * 2, merge = (r: number[]) => r;';
	expect(await (await compile(job)).json()).toMatchObject({ ok: true, cached: false });
	expect(await (await compile(job)).json()).toMatchObject({ ok: true, cached: true });
	expect(await (await compile('export const split = () => ;')).json()).toEqual({
		ok: false,
		errors: [{ line: 1, column: 28, message: 'Unexpected ";"' }]
	});
});

test('health reports the migrated database and static files carry real types', async ({ request }) => {
	const health = await request.get('/api/health');
	expect(health.status()).toBe(200);
	expect((await health.json()).d1.ok).toBe(true);
	const home = await request.get('/');
	const script = /\/_app\/immutable\/[^"]+\.js/.exec(await home.text())?.[0];
	expect(script).toBeTruthy();
	const asset = await request.get(script!);
	expect(asset.headers()['content-type']).toContain('text/javascript');
	expect(asset.headers()['cache-control']).toContain('immutable');
	// The server bundle is never served.
	expect((await request.get('/_worker.js')).status()).toBe(404);
});

test('settings come from the process environment (as from the systemd EnvironmentFile)', async () => {
	// Unset: only the server's own and local origins may open sockets.
	expect(await upgradeStatus('https://murmur.example')).toBe(403);
	server.options.env = { ALLOWED_ORIGINS: 'https://murmur.example' };
	try {
		await server.restart();
		// Allowed now, so the origin check passes and the missing sign-in is what refuses it.
		expect(await upgradeStatus('https://murmur.example')).toBe(401);
		expect(await upgradeStatus('https://elsewhere.example')).toBe(403);
	} finally {
		server.options.env = {};
		await server.restart();
	}
});

/** The status a WebSocket handshake from `origin` gets (node:http, since fetch refuses Upgrade headers). */
function upgradeStatus(origin: string) {
	return new Promise<number>((resolve, reject) => {
		const req = httpRequest(`${server.origin}/realtime/lobby/ws`, {
			headers: {
				connection: 'Upgrade',
				upgrade: 'websocket',
				origin,
				'sec-websocket-version': '13',
				'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ=='
			}
		});
		req.on('response', (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		req.on('upgrade', (res, socket) => {
			socket.destroy();
			resolve(res.statusCode ?? 0);
		});
		req.on('error', reject);
		req.end();
	});
}

async function newPage(browser: Browser) {
	return (await browser.newContext()).newPage();
}

async function uploadAvatar(page: Page) {
	await page.goto('/profile');
	await page
		.getByLabel(/PNG, JPEG, WebP or GIF/)
		.setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: ONE_PIXEL_PNG });
	await page.getByRole('button', { name: 'Upload' }).click();
	await expect(page.getByRole('status')).toHaveText('Avatar updated.');
	const img = page.getByTestId('profile-avatar').locator('img');
	await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
	return (await img.getAttribute('src'))!;
}

async function openRealtime(page: Page) {
	await page.goto('/realtime');
	await expect(page.getByTestId('socket-status')).toHaveText('connected');
}

/** The extensions the server agreed to for a relay socket the page opens (browsers offer permessage-deflate). */
function negotiatedExtensions(page: Page) {
	const path = `/realtime/lobby/ws?${VERSION_PARAM}=${relayChannel.version}`;
	return page.evaluate(
		(path) =>
			new Promise<string>((resolve, reject) => {
				const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}${path}`);
				ws.onopen = () => {
					resolve(ws.extensions);
					ws.close();
				};
				ws.onerror = () => reject(new Error('the relay socket did not open'));
			}),
		path
	);
}

async function chatConnected(page: Page) {
	await expect(page.getByTestId('chat-status')).toHaveText('connected', { timeout: 30_000 });
}

async function chatSay(page: Page, text: string) {
	await page.getByLabel('Message', { exact: true }).fill(text);
	await page.getByLabel('Message', { exact: true }).press('Enter');
}

async function say(page: Page, text: string) {
	await page.getByLabel('Message').fill(text);
	await page.getByRole('button', { name: 'Send' }).click();
}
