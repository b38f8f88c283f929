import {
	createExecutionContext,
	createMessageBatch,
	evictDurableObject,
	getQueueResult,
	runDurableObjectAlarm,
	runInDurableObject
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { getDb } from '$lib/server/db';
import worker from '../../../../worker';
import { newRoom, openChat } from '../../../../testing/chat';
import { signedInUser } from '../../../../testing/users';
import { chatRoomStub } from '../access';
import type { ChatRoom } from '../chat-room';
import { RoomIdentity } from '../room-identity';
import { joinPublicRoom } from '../rooms';
import { CHAT_INDEX_MESSAGE_VERSION, type ChatIndexMessage } from './index-message';
import { IndexOutbox } from './index-outbox';
import { HIT_END, HIT_START, searchMessages, SEARCH_PAGE_SIZE } from './search-messages';

/** Waits (polling D1, never a bare sleep) until `userId`'s search for `query` satisfies `until`. */
async function searchUntil(
	userId: string,
	query: string,
	until: (hits: Awaited<ReturnType<typeof searchMessages>> & { ok: true }) => boolean
) {
	return vi.waitFor(
		async () => {
			const result = await searchMessages(env.DB, userId, query);
			if (!result.ok) throw new Error(result.message);
			if (!until(result)) throw new Error(`not yet: ${JSON.stringify(result.hits.map((h) => h.snippet))}`);
			return result;
		},
		{ timeout: 15_000, interval: 100 }
	);
}

function indexMessage(over: Partial<ChatIndexMessage> = {}): ChatIndexMessage {
	return {
		v: CHAT_INDEX_MESSAGE_VERSION,
		op: 'upsert',
		roomId: 'room-1',
		messageId: `m-${crypto.randomUUID()}`,
		seq: 1,
		author: { id: 'u1', name: 'Ada' },
		text: 'hello',
		createdAt: Date.now(),
		version: 1,
		...over
	};
}

async function deliver(messages: { body: unknown; attempts?: number }[], db: D1Database = env.DB) {
	const batch = createMessageBatch(
		'murmur-chat-index',
		messages.map((m, i) => ({ id: `msg-${i}`, timestamp: Date.now(), attempts: m.attempts ?? 1, body: m.body }))
	);
	const ctx = createExecutionContext();
	// The worker's own queue handler (src/worker.ts), as the queue calls it.
	await worker.queue(batch, { ...env, DB: db });
	return getQueueResult(batch, ctx);
}

async function indexRows(messageId: string) {
	const docs = await env.DB.prepare('SELECT version, deleted, text FROM chat_search_docs WHERE message_id = ?')
		.bind(messageId)
		.all<{ version: number; deleted: number; text: string }>();
	return docs.results;
}

async function ftsCount(word: string) {
	const row = await env.DB.prepare('SELECT count(*) AS n FROM chat_search WHERE chat_search MATCH ?')
		.bind(`"${word}"`)
		.first<{ n: number }>();
	return row!.n;
}

describe('chat search index through the CHAT_INDEX queue', () => {
	it('a posted message reaches the index through the queue; edit and delete follow it', async () => {
		const alice = await signedInUser(env);
		const room = await newRoom(env, alice.user.id);
		const posted = await chatRoomStub(env, room.id).postMessage(
			{ id: alice.user.id, name: alice.user.displayName, avatarKey: null },
			'first-1',
			'the quick brown aardvark jumps'
		);
		expect(posted.ok).toBe(true);

		const found = await searchUntil(alice.user.id, 'aardvark', (r) => r.hits.length === 1);
		expect(found.hits[0]).toMatchObject({ roomId: room.id, roomName: room.name, messageId: 'first-1', seq: 1 });
		expect(found.hits[0]!.snippet).toContain(`${HIT_START}aardvark${HIT_END}`);

		// Edit and delete go over the socket, as the browser sends them.
		const socket = await openChat(alice.cookie, room.id);
		await socket.next('history');
		socket.send('edit', { id: 'first-1', text: 'the quick brown okapi jumps' });
		await socket.next('edit');
		await searchUntil(alice.user.id, 'okapi', (r) => r.hits.length === 1);
		expect((await searchMessages(env.DB, alice.user.id, 'aardvark')).ok && (await ftsCount('aardvark'))).toBe(0);

		socket.send('delete', { id: 'first-1' });
		await socket.next('delete');
		await vi.waitFor(async () => expect((await indexRows('first-1'))[0]?.deleted).toBe(1), { timeout: 15_000 });
		expect(await ftsCount('okapi')).toBe(0);
		const afterDelete = await searchMessages(env.DB, alice.user.id, 'okapi');
		expect(afterDelete.ok && afterDelete.hits).toEqual([]);
		socket.ws.close();
	}, 60_000);

	it('a batch whose D1 write fails is retried and then indexed exactly once', async () => {
		const body = indexMessage({ text: 'retried wombat' });
		// A real failure: a D1 database without the search tables (no migrations applied) refuses the write.
		const failed = await deliver([{ body }], env.UNMIGRATED_DB);
		expect(failed.retryMessages.map((m) => m.msgId)).toEqual(['msg-0']);
		expect(failed.explicitAcks).toEqual([]);
		expect(await ftsCount('wombat')).toBe(0);

		// The queue delivers it again (attempt 2), and — at least once — maybe a third time.
		const retried = await deliver([{ body, attempts: 2 }]);
		expect(retried.explicitAcks).toEqual(['msg-0']);
		const duplicate = await deliver([{ body, attempts: 3 }]);
		expect(duplicate.explicitAcks).toEqual(['msg-0']);
		expect(await indexRows(body.messageId)).toEqual([{ version: 1, deleted: 0, text: 'retried wombat' }]);
		expect(await ftsCount('wombat')).toBe(1);
	});

	it('keeps the newest version whatever order the changes arrive in; a delete is never undone', async () => {
		const v1 = indexMessage({ text: 'first quokka', version: 1 });
		const v3 = { ...v1, text: 'edited numbat', version: 3 };
		const deleted = { ...v1, op: 'delete' as const, text: '', version: 5 };
		// Newer first, then the older edit, redelivered late.
		await deliver([{ body: v3 }]);
		await deliver([{ body: v1 }]);
		expect(await indexRows(v1.messageId)).toEqual([{ version: 3, deleted: 0, text: 'edited numbat' }]);
		expect([await ftsCount('quokka'), await ftsCount('numbat')]).toEqual([0, 1]);
		// The delete arrives; then the original post once more: it stays deleted.
		await deliver([{ body: deleted }, { body: v1 }]);
		await deliver([{ body: v3 }]);
		expect(await indexRows(v1.messageId)).toEqual([{ version: 5, deleted: 1, text: '' }]);
		expect(await ftsCount('numbat')).toBe(0);
	});

	it('acknowledges and drops bodies that are not index messages, indexing the valid ones of the batch', async () => {
		const good = indexMessage({ text: 'valid pangolin' });
		const result = await deliver([
			{ body: { ...good, v: 99 } },
			{ body: 'not an object' },
			{ body: { ...good, messageId: '__proto__', constructor: 'x' } },
			{ body: good }
		]);
		expect(result.explicitAcks.sort()).toEqual(['msg-0', 'msg-1', 'msg-2', 'msg-3']);
		expect(result.retryMessages).toEqual([]);
		expect(await ftsCount('pangolin')).toBe(1);
	});

	it('a non-member never finds messages of a private room; a member and public rooms are found', async () => {
		const owner = await signedInUser(env);
		const outsider = await signedInUser(env);
		const secret = await newRoom(env, owner.user.id, 'private');
		const open = await newRoom(env, owner.user.id, 'public');
		const who = { id: owner.user.id, name: owner.user.displayName, avatarKey: null };
		await chatRoomStub(env, secret.id).postMessage(who, 'secret-1', 'the capybara plan is secret');
		// Posted after the private one: once the outsider finds it, the private one has been indexed too.
		await chatRoomStub(env, open.id).postMessage(who, 'open-1', 'a capybara in the open');

		await searchUntil(owner.user.id, 'capybara', (r) => r.hits.length === 2);
		const outsiderHits = await searchUntil(outsider.user.id, 'capybara', (r) =>
			r.hits.some((h) => h.messageId === 'open-1')
		);
		expect(outsiderHits.hits.map((h) => h.roomId)).toEqual([open.id]);
		expect((await searchMessages(env.DB, outsider.user.id, 'secret')).ok).toBe(true);
		const secretWord = await searchMessages(env.DB, outsider.user.id, 'secret');
		expect(secretWord.ok && secretWord.hits).toEqual([]);

		// Joining a public room changes nothing for private ones.
		await joinPublicRoom(getDb(env), open.id, outsider.user.id);
		const again = await searchMessages(env.DB, outsider.user.id, 'capybara');
		expect(again.ok && again.hits.map((h) => h.roomId)).toEqual([open.id]);
	}, 60_000);

	it('pages newest first with a cursor; refuses bad queries with a clear message, never an exception', async () => {
		const bodies = Array.from({ length: SEARCH_PAGE_SIZE + 5 }, (_, i) =>
			indexMessage({ roomId: 'paging-room', text: `lemur number ${i}`, createdAt: 1_000 + i })
		);
		// The search joins the directory: give the room a row, public.
		const owner = await signedInUser(env);
		await env.DB.prepare(
			"INSERT INTO chat_rooms (id, name, is_private, created_by, created_at) VALUES ('paging-room', 'Paging', 0, ?, 0)"
		)
			.bind(owner.user.id)
			.run();
		await deliver(bodies.map((body) => ({ body })));
		const first = await searchMessages(env.DB, owner.user.id, 'lemur');
		if (!first.ok) throw new Error(first.message);
		expect(first.hits).toHaveLength(SEARCH_PAGE_SIZE);
		expect(first.hits[0]!.createdAt).toBe(1_000 + SEARCH_PAGE_SIZE + 4);
		const [time, row] = first.next!.split('.').map(Number) as [number, number];
		const second = await searchMessages(env.DB, owner.user.id, 'lemur', [time, row]);
		expect(second.ok && second.hits.map((h) => h.createdAt)).toEqual([1_004, 1_003, 1_002, 1_001, 1_000]);
		expect(second.ok && second.next).toBeNull();

		// Prefixes of every indexed length (0005's prefix indexes: 2, 3, 4) and longer find the same page,
		// newest first, with the whole word marked in each snippet.
		for (const q of ['le*', 'lem*', 'lemu*', 'lemur*']) {
			const found = await searchMessages(env.DB, owner.user.id, q);
			if (!found.ok) throw new Error(found.message);
			expect(
				found.hits.map((h) => h.createdAt),
				q
			).toEqual(first.hits.map((h) => h.createdAt));
			expect(found.hits[0]!.snippet, q).toContain(`${HIT_START}lemur${HIT_END}`);
		}

		// Punctuation is not syntax: these find (or miss) rather than fail.
		for (const q of ["don't", 'e-mail', 'v1.2', 'lemur*', '"lemur number"', 'lemur OR nothing', 'text:lemur'])
			expect((await searchMessages(env.DB, owner.user.id, q)).ok, q).toBe(true);
		for (const q of ['"unclosed', 'lemur OR', '(lemur', 'NOT', 'AND AND', '   '])
			expect(await searchMessages(env.DB, owner.user.id, q), q).toMatchObject({ ok: false, code: 'bad-query' });
	});

	it('the room outbox keeps changes while the queue refuses them, sends them by alarm, and after an eviction', async () => {
		const alice = await signedInUser(env);
		const who = { id: alice.user.id, name: alice.user.displayName, avatarKey: null };
		const room = await newRoom(env, alice.user.id);
		const stub = chatRoomStub(env, room.id);
		// The room's real SQLite and alarm; its queue replaced by one that refuses the first two sends.
		const sent: string[] = [];
		let refusals = 2;
		const flaky = {
			async sendBatch(batch: Iterable<MessageSendRequest<ChatIndexMessage>>) {
				if (refusals-- > 0) throw new Error('Queue send failed: 503');
				sent.push(...[...batch].map((m) => m.body.messageId));
			}
		};
		const pending = () =>
			runInDurableObject(
				stub,
				(_room, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM chat_index_outbox').one().n
			);
		await runInDurableObject(stub, (instance: ChatRoom, state) => {
			Object.assign(instance, { index: new IndexOutbox(state.storage, flaky, (p) => state.waitUntil(p)) });
		});
		expect((await stub.postMessage(who, 'o-1', 'outbox one')).ok).toBe(true);
		expect((await stub.postMessage(who, 'o-2', 'outbox two')).ok).toBe(true);
		await vi.waitFor(() => expect(refusals).toBeLessThanOrEqual(0), { timeout: 10_000 });
		await vi.waitFor(
			async () => {
				await runDurableObjectAlarm(stub);
				expect(await pending()).toBe(0);
			},
			{ timeout: 10_000 }
		);
		// Each change sent once, in order, after the refusals.
		expect(sent).toEqual(['o-1', 'o-2']);

		// A queue that refuses everything, then the object is evicted: the next incarnation (with the real
		// queue) sends what was left in its outbox as it starts.
		await runInDurableObject(stub, (instance: ChatRoom, state) => {
			const down = { sendBatch: () => Promise.reject(new Error('Queue send failed: 503')) };
			Object.assign(instance, { index: new IndexOutbox(state.storage, down, (p) => state.waitUntil(p)) });
		});
		expect((await stub.postMessage(who, 'o-3', 'survives the eviction of a tapir')).ok).toBe(true);
		expect(await pending()).toBe(1);
		await evictDurableObject(stub);
		await stub.historyPage(undefined, 1);
		await searchUntil(alice.user.id, 'tapir', (r) => r.hits.length === 1);
		expect(await pending()).toBe(0);
	}, 60_000);

	it('a room reached without its name (a script_name binding) learns its id from a request that names it', async () => {
		const roomId = `room-${crypto.randomUUID()}`;
		const stub = chatRoomStub(env, roomId);
		await runInDurableObject(stub, (_room, state) => {
			// An id made from its hex string carries no name, as one through another worker's binding arrives.
			const bare = env.CHAT_ROOM.idFromString(state.id.toString());
			expect(bare.name).toBeUndefined();
			const identity = new RoomIdentity(state.storage, bare, env.CHAT_ROOM);
			expect(identity.get()).toBeNull();
			identity.learn('another-room'); // a name that is not this object's: refused
			identity.learn(RoomIdentity.fromSocketPath('http://x/swarm/abc/ws'));
			expect(identity.get()).toBeNull();
			identity.learn(RoomIdentity.fromSocketPath(`http://x/chat/${encodeURIComponent(roomId)}/ws?v=1`));
			expect(identity.get()).toBe(roomId);
			// Kept in storage: the next incarnation knows it without being told.
			expect(new RoomIdentity(state.storage, bare, env.CHAT_ROOM).get()).toBe(roomId);
		});
	});
});
