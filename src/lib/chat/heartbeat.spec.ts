import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { newRoom, openChat } from '../../testing/chat';
import { signedInUser } from '../../testing/users';
import { Heartbeat, PING, PONG } from './heartbeat';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Short intervals so the test takes a second; the client uses CHAT_PING_INTERVAL_MS / CHAT_PONG_TIMEOUT_MS.
const INTERVAL_MS = 40;
const TIMEOUT_MS = 500;

describe('chat heartbeat', () => {
	it('stays quiet while a real room answers every ping, and stops cleanly', async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const chat = await openChat(cookie, room.id);
		await chat.next('history');
		let pings = 0;
		let pongs = 0;
		let dead = 0;
		const heartbeat = new Heartbeat(
			() => {
				pings++;
				chat.ws.send(PING);
			},
			() => dead++,
			INTERVAL_MS,
			TIMEOUT_MS
		);
		// The auto-response is a text frame (openChat skips those; chat frames are binary).
		chat.ws.addEventListener('message', (e) => {
			if (e.data === PONG) {
				pongs++;
				heartbeat.pong();
			}
		});
		heartbeat.start();
		await sleep(600);
		heartbeat.stop();
		expect(dead).toBe(0);
		expect(pings).toBeGreaterThanOrEqual(3);
		expect(pongs).toBeGreaterThanOrEqual(pings - 1); // the last answer may still be on its way
		const after = pings;
		await sleep(200);
		expect(pings).toBe(after);
	});

	it('declares the connection dead once when a ping goes unanswered', async () => {
		let pings = 0;
		let dead = 0;
		// A half-open connection: the ping leaves, nothing ever comes back.
		const heartbeat = new Heartbeat(
			() => pings++,
			() => dead++,
			INTERVAL_MS,
			TIMEOUT_MS
		);
		heartbeat.start();
		await sleep(INTERVAL_MS + TIMEOUT_MS + 300);
		expect(dead).toBe(1);
		expect(pings).toBe(1); // no new ping while the first one waits, and none after giving up
	});
});
