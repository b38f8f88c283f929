import { describe, expect, it } from 'vitest';
import { expectContractRoundTrips } from '../../testing/contract';
import { loadCodec } from '$lib/server/codec';
import { randomMessageId } from '$lib/random-id';
import { ChannelWire } from './channel';
import { chatChannel, createRoomSchema, emojiSchema } from './chat';
import {
	CHAT_FRAME_JSON_BUDGET_BYTES,
	CHAT_LIVE_BATCH_MAX,
	CHAT_MESSAGE_ID_MAX,
	CHAT_TEXT_MAX_CHARS
} from './chat-limits';
import { entryWire, type ChatAuthorWire } from './chat-wire';

describe('chat reaction schema', () => {
	it('accepts exactly one emoji, however many code points it takes', () => {
		// thumbs up, with a skin tone, a flag, a ZWJ family, a keycap, a heart with its variation selector
		for (const emoji of ['👍', '👍🏽', '🇩🇪', '👨‍👩‍👧', '1️⃣', '❤️'])
			expect(emojiSchema.safeParse(emoji).success, emoji).toBe(true);
	});

	it('refuses several emoji in one reaction, and anything that is not an emoji', () => {
		for (const text of ['👍👍', '🇩🇪🇫🇷', '😀🎉', '👍🏽👍🏽', 'lol', 'a👍', '', '1'])
			expect(emojiSchema.safeParse(text).error?.issues[0]?.message, text).toBe('A reaction is a single emoji.');
	});
});

describe('room names', () => {
	const messageOf = (form: Record<string, unknown>) => createRoomSchema.safeParse(form).error?.issues[0]?.message;

	it('are refused over 60 characters, not cut, and counted as people count (an emoji is one)', () => {
		expect(createRoomSchema.parse({ name: '🎉'.repeat(60) }).name).toBe('🎉'.repeat(60));
		expect(messageOf({ name: 'x'.repeat(61) })).toBe('Room names are at most 60 characters; this one has 61.');
		expect(messageOf({ name: '🎉'.repeat(61) })).toBe('Room names are at most 60 characters; this one has 61.');
	});

	it('explain a missing name or visibility in words', () => {
		expect(messageOf({})).toBe('Give the room a name.');
		expect(messageOf({ name: '   ' })).toBe('Give the room a name.');
		expect(messageOf({ name: 'ok', visibility: 'secret' })).toBe('Choose who can join: public or private.');
	});
});

describe('chat channel contract', () => {
	const ada: ChatAuthorWire = [1, 'u1', 'Ada', 'avatars/u1.webp'];
	const bo: ChatAuthorWire = [2, 'u2', 'Bo', null];
	const message = { seq: 7, rev: 12, id: 'm-7', text: 'hello, "world" — 👋', createdAt: 1_700_000_000_000 };
	const fresh = entryWire({ ...message, editedAt: null, deleted: false, reactions: [] }, 1);
	const full = entryWire(
		{ ...message, editedAt: 1_700_000_060_000, deleted: false, reactions: [{ emoji: '👍', users: ['u1', 'u2'] }] },
		1
	);

	it('round-trips every message kind in both directions through the codec and the schema', async () => {
		await expectContractRoundTrips(chatChannel, {
			client: {
				send: { id: 'm-8', text: 'two\nlines' },
				edit: { id: 'm-7', text: 'fixed' },
				delete: { id: 'm-7' },
				react: { id: 'm-7', emoji: '🎉' },
				typing: {},
				history: { before: 7, limit: 50 },
				read: { seq: 7 }
			},
			server: {
				message: fresh,
				edit: full,
				delete: entryWire({ ...message, text: '', editedAt: null, deleted: true, reactions: [] }, 2),
				react: full,
				typing: { users: [{ id: 'u2', name: 'Bo', ms: 4_200 }] },
				presence: { online: [ada, bo] },
				history: { kind: 'catchup', messages: [fresh, full], authors: [ada], hasMore: false, rev: 12 },
				cursor: { seq: 7, unread: 3, mentions: 1 },
				authors: { authors: [bo] },
				messages: [
					fresh,
					entryWire({ ...message, seq: 8, rev: 13, id: 'm-8', editedAt: null, deleted: false, reactions: [] }, 2)
				]
			}
		});
	});

	it('decodes the compact forms into messages with an author number, and authors into users', () => {
		const decoded = chatChannel.server.react.schema.parse(full);
		expect(decoded).toEqual({
			...message,
			author: 1,
			editedAt: 1_700_000_060_000,
			deleted: false,
			reactions: [{ emoji: '👍', users: ['u1', 'u2'] }]
		});
		expect(chatChannel.server.message.schema.parse(fresh)).toMatchObject({
			editedAt: null,
			deleted: false,
			reactions: []
		});
		expect(chatChannel.server.presence.schema.parse({ joined: ada, left: 2 })).toEqual({
			joined: { n: 1, user: { id: 'u1', name: 'Ada', avatarKey: 'avatars/u1.webp' } },
			left: 2
		});
		// What the contract refuses: a malformed tuple, an author number 0, ids as object keys.
		for (const bad of [
			[7, 12, 'm-7', 0, 'x', 1],
			[7, 12, 'm-7', 1, 'x'],
			{ seq: 7 },
			[7, 12, 'm', 1, 'x', 1, null, 2, []]
		])
			expect(chatChannel.server.message.schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
		for (const id of ['__proto__', 'constructor'])
			expect(chatChannel.server.message.schema.parse([1, 1, id, 1, 'x', 1]).id).toBe(id);
		// A busy room's batch: one message or more, never more than a frame's budget holds.
		expect(chatChannel.server.messages.schema.safeParse([]).success).toBe(false);
		expect(chatChannel.server.messages.schema.safeParse(Array(CHAT_LIVE_BATCH_MAX).fill(fresh)).success).toBe(true);
		expect(chatChannel.server.messages.schema.safeParse(Array(CHAT_LIVE_BATCH_MAX + 1).fill(fresh)).success).toBe(
			false
		);
	});

	it('keeps a full batch of the longest new messages inside the frame budget', () => {
		// 4 JSON bytes per character is the most a new message's text takes (chat-limits.ts).
		const longest = entryWire(
			{
				seq: Number.MAX_SAFE_INTEGER,
				rev: Number.MAX_SAFE_INTEGER,
				id: 'x'.repeat(CHAT_MESSAGE_ID_MAX),
				text: '😀'.repeat(CHAT_TEXT_MAX_CHARS),
				createdAt: Number.MAX_SAFE_INTEGER,
				editedAt: null,
				deleted: false,
				reactions: []
			},
			2 ** 31 - 1
		);
		const bytes = new TextEncoder().encode(JSON.stringify(Array(CHAT_LIVE_BATCH_MAX).fill(longest))).byteLength;
		expect(bytes).toBeLessThanOrEqual(CHAT_FRAME_JSON_BUDGET_BYTES);
	});

	it('sends a typical chat message in at most 150 bytes on the wire, from the real encoder', async () => {
		const wire = new ChannelWire(chatChannel, await loadCodec());
		// The bench's line, with a message id as the browser makes it and a seq of a busy room.
		const text = 'a1b2c3d4 — the quick brown fox jumps over the lazy dog, a typical short chat line.';
		const entry = entryWire(
			{
				seq: 12_345,
				rev: 12_400,
				id: randomMessageId(),
				text,
				createdAt: Date.now(),
				editedAt: null,
				deleted: false,
				reactions: []
			},
			42
		);
		const toOthers = wire.encodeServer('message', entry);
		const toSender = wire.encodeServer('message', entry, 1_234);
		expect(toOthers.byteLength).toBeLessThanOrEqual(150);
		expect(toSender.byteLength).toBeLessThanOrEqual(152);
		expect(wire.decodeServer(toSender)).toMatchObject({ type: 'message', seq: 1_234, payload: { text, author: 42 } });
	});

	it('numbers its kinds with the type bytes chat had before the contract; type 2 (the old ack) is free', () => {
		const types = (kinds: Record<string, { type: number }>) =>
			Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [name, kind.type]));
		expect(types(chatChannel.client)).toEqual({
			send: 1,
			edit: 4,
			delete: 5,
			react: 6,
			typing: 7,
			history: 9,
			read: 10
		});
		expect(types(chatChannel.server)).toEqual({
			message: 3,
			edit: 4,
			delete: 5,
			react: 6,
			typing: 7,
			presence: 8,
			history: 9,
			cursor: 10,
			authors: 11,
			messages: 12
		});
		expect(chatChannel.version).toBe(3);
	});

	it('has typed error codes for what the room refuses, and a rate-limited error carries its pacing', async () => {
		expect([...chatChannel.errorCodes]).toEqual(
			expect.arrayContaining(['not-found', 'gone', 'id-taken', 'too-many-reactions', 'rate-limited', 'bad-message'])
		);
		const limited = { code: 'rate-limited', message: 'Slow down.', retryAfterMs: 800, everyMs: 1_000, ref: 'm-9' };
		expect(chatChannel.errorSchema.parse(limited)).toEqual(limited);
		expect(chatChannel.errorSchema.safeParse({ code: 'bad-payload', message: 'old code' }).success).toBe(false);
	});
});
