import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PING, PONG } from '$lib/protocol/heartbeat';
import { relayChannel } from '$lib/protocol/relay';
import { openChannelSocket } from '../../testing/channel-socket';
import { signedInUser } from '../../testing/users';
import { Heartbeat } from './heartbeat';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Short intervals so the test takes a second; openChannel uses PING_INTERVAL_MS / PONG_TIMEOUT_MS.
const INTERVAL_MS = 40;
const TIMEOUT_MS = 500;

describe('the shared client heartbeat', () => {
	it("stays quiet while a real object's auto-response answers every ping, and stops cleanly", async () => {
		const { cookie } = await signedInUser(env);
		// Any RealtimeObject registers the ping/pong auto-response; the relay is the smallest one.
		const relay = await openChannelSocket(relayChannel, `/realtime/heartbeat-${crypto.randomUUID()}/ws`, { cookie });
		await relay.next('welcome');
		let pings = 0;
		let pongs = 0;
		let dead = 0;
		const heartbeat = new Heartbeat(
			() => {
				pings++;
				relay.ws.send(PING);
			},
			() => dead++,
			INTERVAL_MS,
			TIMEOUT_MS
		);
		// The auto-response is the one text frame; every other packet is a codec frame.
		relay.ws.addEventListener('message', (e) => {
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
