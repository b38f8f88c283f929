import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import { ChatSession } from '$lib/chat/chat-session';
import { connectSession, newRoom } from '../../../../testing/chat';
import { signedInUser } from '../../../../testing/users';
import { chatRoomStub } from '../access';
import type { ChatRoom } from '../chat-room';

/**
 * Search's "open in room" (/chat/<room>?at=<seq>): the browser's ChatSession, on a real socket through the
 * whole worker, pages back from the latest page until the message is held — the window stays contiguous,
 * so live messages and further scroll-back keep working — and says when there is no such message.
 */
it('a jump pages back to a message far below the latest page, keeping the window whole', async () => {
	const alice = await signedInUser(env);
	const room = await newRoom(env, alice.user.id);
	const stub = chatRoomStub(env, room.id);
	await runInDurableObject(stub, (r: ChatRoom) => {
		r.rateLimit = { burst: 100_000, windowMs: 1_000 }; // this test is about paging, not flood control
	});
	const who = { id: alice.user.id, name: alice.user.displayName, avatarKey: null };
	// 50 on join, then pages of 200: seq 7 is two pages below the latest.
	const TOTAL = 260;
	for (let i = 1; i <= TOTAL; i++) await stub.postMessage(who, `m-${i}`, `message ${i}`);

	const session = new ChatSession(who);
	const { ws } = await connectSession(session, alice.cookie, room.id);
	session.jumpTo(7);
	await vi.waitFor(() => expect(session.jump?.state).toBe('found'), { timeout: 10_000 });
	expect(session.messages.get(7)?.text).toBe('message 7');
	// Contiguous from the oldest held to the newest.
	const seqs = session.ordered().map((m) => m.seq);
	expect(seqs.at(-1)).toBe(TOTAL);
	expect(seqs[0]).toBeLessThanOrEqual(7);
	expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));

	// A seq the room never had: said so, after asking nothing more than it holds.
	session.jumpTo(TOTAL + 5);
	expect(session.jump).toEqual({ seq: TOTAL + 5, state: 'missing' });
	ws.close();
}, 60_000);
