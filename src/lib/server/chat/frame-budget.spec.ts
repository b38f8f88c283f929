import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { entryWire, type ChatEntry } from '$lib/protocol/chat-wire';
import { CHAT_FRAME_JSON_BUDGET_BYTES, CHAT_PAGE_MAX, CHAT_TEXT_MAX_CHARS } from '$lib/protocol/chat-limits';
import { newRoom, openChat, upgrade } from '../../../testing/chat';
import { signedInUser } from '../../../testing/users';
import { chatRoomStub } from './access';
import type { ChatRoom } from './chat-room';

/** The messages' wire JSON in bytes, each with its separating comma, as the room sent them. */
const utf8 = new TextEncoder();
const jsonBytes = (messages: ChatEntry[]) =>
	messages.reduce((n, m) => n + utf8.encode(JSON.stringify(entryWire(m, m.author))).byteLength + 1, 0);

/**
 * A room full of the longest messages JSON escaping makes of them: rows with control characters (as
 * stored before the schema refused them; the RPC takes text the REST route has already validated, so it
 * can still write them) and rows of quotes and backslashes (allowed, two JSON bytes per character).
 */
async function worstCaseRoom(quotes: number, controls: number) {
	const { user, cookie } = await signedInUser(env);
	const room = await newRoom(env, user.id);
	const stub = chatRoomStub(env, room.id);
	const me = { id: user.id, name: 'Worst', avatarKey: null };
	await runInDurableObject(stub, async (r: ChatRoom) => {
		r.rateLimit = { burst: 100_000, windowMs: 1_000 };
		for (let i = 0; i < quotes; i++) await r.postMessage(me, `q${i}`, (i % 2 ? '"' : '\\').repeat(CHAT_TEXT_MAX_CHARS));
		// The newest: a latest page of 50 of these would be 1.2 MiB of JSON.
		for (let i = 0; i < controls; i++) await r.postMessage(me, `c${i}`, '\u0001'.repeat(CHAT_TEXT_MAX_CHARS));
	});
	return { cookie, room, stub, total: controls + quotes };
}

describe('chat frames stay under the codec cap', () => {
	it('refuses control characters and broken Unicode in message text, with a clear message', async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const a = await openChat(cookie, room.id);
		await a.next('history');
		for (const [i, text] of ['bell\u0007', 'nul\u0000', 'cr\r', 'del\u007f', 'c1\u0085', 'csi\u009b'].entries()) {
			const seq = a.send('send', { id: `ctl-${i}`, text });
			expect((await a.next('error', (e) => e.seq === seq)).payload).toMatchObject({
				code: 'bad-message',
				message: expect.stringMatching(/control characters/)
			});
		}
		for (const [i, text] of ['lone \ud800 high', 'lone \udc00 low', 'reversed \udc00\ud800'].entries()) {
			const seq = a.send('send', { id: `sur-${i}`, text });
			expect((await a.next('error', (e) => e.seq === seq)).payload.message).toMatch(/valid Unicode/);
		}
		// Line breaks, tabs, emoji (surrogate pairs) and quotes are ordinary text.
		const fine = a.send('send', { id: 'fine', text: 'two\nlines\tand 👍🏽 "quoted" \\ ok' });
		expect((await a.next('message', (e) => e.seq === fine)).payload.id).toBe('fine');
		a.send('history', { before: 1000 });
		const page = await a.next('history', (e) => e.payload.kind === 'older');
		expect(page.payload.messages.map((m) => m.id)).toEqual(['fine']);
	});

	it('counts the message limit in characters: 4,000 emoji (16 KB) go through, 4,001 letters do not', async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const a = await openChat(cookie, room.id);
		await a.next('history');
		const emoji = '😀'.repeat(CHAT_TEXT_MAX_CHARS); // 4 bytes of UTF-8 each: over the old 4 KiB rule
		const sent = a.send('send', { id: 'emoji', text: emoji });
		expect((await a.next('message', (e) => e.seq === sent)).payload.id).toBe('emoji');
		const seq = a.send('send', { id: 'long', text: 'a'.repeat(CHAT_TEXT_MAX_CHARS + 1) });
		expect((await a.next('error', (e) => e.seq === seq)).payload).toMatchObject({
			code: 'bad-message',
			message: expect.stringContaining('A message is at most 4,000 characters.')
		});
		a.send('history', { before: 1000 });
		const page = await a.next('history', (e) => e.payload.kind === 'older');
		expect(page.payload.messages.map((m) => [m.id, m.text])).toEqual([['emoji', emoji]]);
	});

	it(
		'a room full of worst-case 4,000-character messages still lets a socket join, page back and catch up',
		{ timeout: 30_000 },
		async () => {
			const { cookie, room, total } = await worstCaseRoom(140, 60);
			const a = await openChat(cookie, room.id);
			const latest = (await a.next('history')).payload;
			expect(latest.kind).toBe('latest');
			expect(latest.hasMore).toBe(true);
			expect(latest.messages.length).toBeGreaterThan(0);
			expect(jsonBytes(latest.messages)).toBeLessThanOrEqual(CHAT_FRAME_JSON_BUDGET_BYTES);
			expect(latest.messages.at(-1)!.seq).toBe(total);

			// Scroll back with the largest page a client may ask for: cut by size, contiguous, to seq 1.
			const held = [...latest.messages];
			let hasMore = latest.hasMore;
			for (let round = 0; hasMore && round < 50; round++) {
				const seq = a.send('history', { before: held[0]!.seq, limit: CHAT_PAGE_MAX });
				const page = (await a.next('history', (e) => e.seq === seq)).payload;
				expect(page.kind).toBe('older');
				expect(page.messages.length).toBeGreaterThan(0);
				expect(jsonBytes(page.messages)).toBeLessThanOrEqual(CHAT_FRAME_JSON_BUDGET_BYTES);
				held.unshift(...page.messages);
				hasMore = page.hasMore;
			}
			expect(held.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
			expect(a.messages.filter((e) => e.type === 'error')).toEqual([]);

			// A client resuming from rev 0 gets every change, in several frames that each fit.
			const b = await openChat(cookie, room.id, 0);
			const caughtUp: ChatEntry[] = [];
			for (let from = 0; caughtUp.length < total;) {
				const frame = await b.next('history', () => true, { from });
				from = b.messages.indexOf(frame) + 1;
				expect(frame.payload.kind).toBe('catchup');
				expect(jsonBytes(frame.payload.messages)).toBeLessThanOrEqual(CHAT_FRAME_JSON_BUDGET_BYTES);
				caughtUp.push(...frame.payload.messages);
			}
			expect(caughtUp.map((m) => m.rev)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
		}
	);

	it('closes a socket whose opening fails with 1011 instead of failing the upgrade', async () => {
		const { user, cookie } = await signedInUser(env);
		const room = await newRoom(env, user.id);
		const stub = chatRoomStub(env, room.id);
		await runInDurableObject(stub, (r: ChatRoom) => {
			// Fault injection on the live instance: the next opening throws as an oversized frame once did.
			(r as unknown as { onOpen: () => void }).onOpen = () => {
				throw new Error('injected onOpen failure');
			};
		});
		const response = await upgrade(cookie, room.id);
		expect(response.status).toBe(101);
		const ws = response.webSocket!;
		const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
		ws.accept();
		expect((await closed).code).toBe(1011);
	});
});
