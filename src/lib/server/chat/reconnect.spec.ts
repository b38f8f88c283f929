import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ChatSession } from '$lib/chat/chat-session';
import type { ChatMessage } from '$lib/protocol/chat';
import { roomOfTwo, until, reconnectingPair } from '../../../testing/chat';
import { seededRandom, testSeed } from '../../../testing/seeded-random';
import type { ChatRoom } from './chat-room';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function fullHistory(stub: DurableObjectStub<ChatRoom>): Promise<ChatMessage[]> {
	const all: ChatMessage[] = [];
	let before: number | undefined;
	for (;;) {
		const page = await stub.historyPage(before, 200);
		all.unshift(...page.messages);
		if (!page.hasMore) return all;
		before = page.messages[0]!.seq;
	}
}

describe('loss-free reconnect', () => {
	it('two clients send 1,000 messages while sockets are killed at random; both end with the same complete history', async () => {
		const rand = seededRandom(testSeed('chat random-kill reconnect'));
		const two = await roomOfTwo(env);
		const { stub } = two;
		await runInDurableObject(stub, (r: ChatRoom) => {
			r.rateLimit = { burst: 100_000, windowMs: 1_000 }; // this test is about loss, not flood control
		});
		const { a, b } = reconnectingPair(two);
		// Both in the room before anyone posts: a client whose first join comes after 50 messages opens on the
		// latest page, and the rest is scroll-back, not something this test's "holds all 1,000" can see.
		await until(() => a.connects === 1 && b.connects === 1, 'both connected', 5_000);
		const PER_CLIENT = 500;
		const sent: Record<string, string[]> = { a: [], b: [] };

		let killing = true;
		const killer = (async () => {
			let kills = 0;
			while (killing) {
				await sleep(5 + rand() * 60);
				const r = rand();
				if (r < 0.35) a.kill();
				else if (r < 0.7) b.kill();
				else {
					// Server side: the room drops a random socket mid-stream.
					await runInDurableObject(stub, (_room: ChatRoom, state) => {
						const sockets = state.getWebSockets();
						sockets[Math.floor(rand() * sockets.length)]?.close(1011, 'test kill');
					});
				}
				kills++;
			}
			return kills;
		})();

		for (let i = 0; i < PER_CLIENT; i++) {
			sent.a!.push(a.session.send(`a${i}`));
			sent.b!.push(b.session.send(`b${i}`));
			if (rand() < 0.2) await sleep(rand() * 8);
		}
		// Wait until both outboxes are empty and both hold all 1,000 messages.
		const deadline = Date.now() + 60_000;
		while (
			a.session.outbox.length + b.session.outbox.length > 0 ||
			a.session.messages.size < 2 * PER_CLIENT ||
			b.session.messages.size < 2 * PER_CLIENT
		) {
			if (Date.now() > deadline)
				throw new Error(
					`stuck: outbox ${a.session.outbox.length}/${b.session.outbox.length}, held ${a.session.messages.size}/${b.session.messages.size}`
				);
			await sleep(20);
		}
		killing = false;
		const kills = await killer;
		await a.stop();
		await b.stop();

		const view = (s: ChatSession) => s.ordered().map((m) => `${m.seq}:${m.id}:${m.text}:${m.rev}`);
		const server = await fullHistory(stub);
		expect(server.map((m) => m.seq)).toEqual(Array.from({ length: 2 * PER_CLIENT }, (_, i) => i + 1));
		expect(view(a.session)).toEqual(server.map((m) => `${m.seq}:${m.id}:${m.text}:${m.rev}`));
		expect(view(b.session)).toEqual(view(a.session));
		// Every message exactly once, and each sender's own order kept.
		for (const [who, ids] of Object.entries(sent)) {
			const stored = server.filter((m) => m.text.startsWith(who)).map((m) => m.id);
			expect(stored).toEqual(ids);
		}
		expect(a.session.rev).toBe(b.session.rev);
		expect(a.kinds).not.toContain('error');
		console.log(`kills ${kills}, connects a=${a.connects} b=${b.connects}`);
		expect(a.connects + b.connects).toBeGreaterThan(5);
	}, 90_000);
});
