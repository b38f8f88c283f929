import { env, exports } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { chatChannel } from '$lib/protocol/chat';
import { VERSION_PARAM } from '$lib/protocol/channel';
import { CloseCode } from '$lib/protocol/close-codes';
import { TICKET_REQUEST_HEADER } from '$lib/protocol/socket-ticket';
import { getDb } from '$lib/server/db';
import realtimeWorker from '../../../realtime-worker';
import { chatPath, newRoom, openChat, ORIGIN, upgrade } from '../../../testing/chat';
import { signedInUser } from '../../../testing/users';
import { chatRoomStub } from './access';
import type { ChatRoom } from './chat-room';
import { joinPublicRoom } from './rooms';

const FOREIGN = 'https://evil.example';

/** The socket of a 101 answer that the route closes at once; resolves with its close event. */
async function closeOf(response: Response): Promise<CloseEvent> {
	expect(response.status).toBe(101);
	const ws = response.webSocket!;
	const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
	ws.accept();
	return closed;
}

describe('chat socket route (socketRoute: upgrade → Origin → session → membership → version → ChatRoom)', () => {
	it('refuses a foreign Origin before asking D1 whether the room exists or the caller is a member', async () => {
		const owner = await signedInUser(env);
		const outsider = await signedInUser(env);
		const priv = await newRoom(env, owner.user.id, 'private');
		const pub = await newRoom(env, owner.user.id, 'public');
		// A cross-site page learns nothing about rooms: every answer is the same 403, member or not.
		for (const [cookie, roomId] of [
			[outsider.cookie, priv.id],
			[outsider.cookie, 'no-such-room'],
			[outsider.cookie, pub.id],
			[owner.cookie, pub.id],
			[null, pub.id]
		] as const) {
			const response = await upgrade(cookie, roomId, { origin: FOREIGN });
			expect(response.status, `${roomId}`).toBe(403);
			expect(await response.json()).toEqual({ error: { code: 'origin', message: expect.any(String) } });
		}
		// From the app's own origin the same calls get the room's answers, in the one REST error shape.
		const unknown = await upgrade(outsider.cookie, 'no-such-room');
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toEqual({ error: { code: 'not-found', message: 'No such room.' } });
		const notMember = await upgrade(outsider.cookie, pub.id);
		expect(notMember.status).toBe(403);
		expect(await notMember.json()).toEqual({ error: { code: 'forbidden', message: 'Join the room first.' } });
		const anonymous = await upgrade(null, pub.id);
		expect(anonymous.status).toBe(401);
		expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });
	});

	it('asks D1 once per member: a known member joins from memory, a removed one is refused at once', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const room = await newRoom(env, owner.user.id);
		await joinPublicRoom(getDb(env), room.id, member.user.id);
		const first = await openChat(member.cookie, room.id);
		await first.next('history');
		// D1 forgets the membership behind the room's back (no leave, no removeMember): the room still
		// knows the member, so the next join asks no D1 — and gets in.
		await getDb(env).run(`DELETE FROM chat_memberships WHERE room_id = '${room.id}' AND user_id = '${member.user.id}'`);
		const second = await openChat(member.cookie, room.id);
		await second.next('history');
		// A leave tells the room (removeMember): the cached membership goes with it, at once.
		await chatRoomStub(env, room.id).removeMember(member.user.id);
		expect((await first.closed).code).toBe(CloseCode.policy);
		const refused = await upgrade(member.cookie, room.id);
		expect(refused.status).toBe(403);
		expect(await refused.json()).toEqual({ error: { code: 'forbidden', message: 'Join the room first.' } });
		// Joining again is D1's to say, and the room takes it from there.
		await joinPublicRoom(getDb(env), room.id, member.user.id);
		const back = await openChat(member.cookie, room.id);
		await back.next('history');
	});

	it('refuses `__proto__` and `constructor` as user ids like any outsider, and remembers only members', async () => {
		const owner = await signedInUser(env);
		const room = await newRoom(env, owner.user.id, 'private');
		const stub = chatRoomStub(env, room.id);
		for (const id of ['__proto__', 'constructor', 'toString'])
			expect(await stub.admit(id, room.id)).toMatchObject({ ok: false, status: 404 });
		expect(await stub.admit(owner.user.id, room.id)).toMatchObject({ ok: true });
		await runInDurableObject(stub, (r: ChatRoom) => {
			expect((r as unknown as { membership: { size: number } }).membership.size).toBe(1);
		});
	});

	it('closes a member socket of another protocol version with "reload" (4000) before the room accepts it', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const room = await newRoom(env, owner.user.id);
		await joinPublicRoom(getDb(env), room.id, member.user.id);
		const watcher = await openChat(owner.cookie, room.id);
		await watcher.next('history');
		// A tab from before the contract sends no version; one of chat protocol 1 (before the compact
		// messages) or from a future deploy another number.
		for (const version of [null, 1, chatChannel.version + 1]) {
			const closed = await closeOf(await upgrade(member.cookie, room.id, { version }));
			expect(closed.code).toBe(CloseCode.reload);
			expect(closed.reason).toMatch(/^Reload/);
		}
		// The room never saw those sockets: the member joining now is the first presence change it announces.
		const current = await openChat(member.cookie, room.id);
		await current.next('history');
		const joined = await watcher.next('presence', (m) => m.payload.joined !== undefined);
		expect(joined.payload.joined?.user.id).toBe(member.user.id);
		expect(watcher.messages.filter((m) => m.type === 'presence' && m.payload.joined)).toHaveLength(1);
	});

	it('refuses an outsider whatever protocol version the page speaks: the room answers before the version', async () => {
		const owner = await signedInUser(env);
		const outsider = await signedInUser(env);
		const priv = await newRoom(env, owner.user.id, 'private');
		// An outsider gets the room's definitive REST refusal, never a reload close that would make their page retry.
		for (const version of [null, 1, chatChannel.version, chatChannel.version + 1]) {
			const hidden = await upgrade(outsider.cookie, priv.id, { version });
			expect(hidden.status, `version ${version}`).toBe(404);
			expect(await hidden.json()).toEqual({ error: { code: 'not-found', message: 'No such room.' } });
			const unknown = await upgrade(outsider.cookie, 'no-such-room', { version });
			expect(unknown.status, `version ${version}`).toBe(404);
		}
	});

	it('a join is one call into the room: the room admits inside the upgrade, the route asks nothing first', async () => {
		const owner = await signedInUser(env);
		const room = await newRoom(env, owner.user.id);
		const stub = chatRoomStub(env, room.id);
		const first = await openChat(owner.cookie, room.id);
		await first.next('history');
		// Count every admission the room makes from here on, its own (onConnect) and any over RPC.
		await runInDurableObject(stub, (r: ChatRoom) => {
			const admit = r.admit.bind(r);
			const counted = r as unknown as { admissions: number; admit: ChatRoom['admit'] };
			counted.admissions = 0;
			counted.admit = (...args) => {
				counted.admissions++;
				return admit(...args);
			};
		});
		const second = await openChat(owner.cookie, room.id);
		await second.next('history');
		const refused = await upgrade((await signedInUser(env)).cookie, room.id);
		expect(refused.status).toBe(403);
		await runInDurableObject(stub, (r: ChatRoom) => {
			expect((r as unknown as { admissions: number }).admissions).toBe(2);
		});
	});

	it('a ticket (Pages shape) goes only to a member, and the ticketed upgrade is admitted by the room itself', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const outsider = await signedInUser(env);
		const room = await newRoom(env, owner.user.id);
		await joinPublicRoom(getDb(env), room.id, member.user.id);
		const askTicket = (cookie: string) =>
			exports.default.fetch(
				new Request(new URL(chatPath(room.id), ORIGIN), {
					headers: { [TICKET_REQUEST_HEADER]: '1', origin: ORIGIN, cookie }
				})
			);
		// The route asks the room before it hands out a ticket: an outsider gets none.
		const refused = await askTicket(outsider.cookie);
		expect(refused.status).toBe(403);
		expect(await refused.json()).toEqual({ error: { code: 'forbidden', message: 'Join the room first.' } });
		const granted = await askTicket(member.cookie);
		expect(granted.status).toBe(200);
		const url = new URL(((await granted.json()) as { url: string }).url);
		url.searchParams.set(VERSION_PARAM, String(chatChannel.version));
		// They leave before using it: the room refuses the upgrade itself, in the REST error shape.
		await chatRoomStub(env, room.id).removeMember(member.user.id);
		await getDb(env).run(`DELETE FROM chat_memberships WHERE room_id = '${room.id}' AND user_id = '${member.user.id}'`);
		const upgrade = new Request(url, { headers: { upgrade: 'websocket', origin: ORIGIN } });
		const response = await realtimeWorker.fetch(upgrade as Request<unknown, IncomingRequestCfProperties>, env);
		expect(response.status).toBe(403);
		expect(await response.json()).toEqual({ error: { code: 'forbidden', message: 'Join the room first.' } });
	});
});
