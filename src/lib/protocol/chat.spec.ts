import { describe, expect, it } from 'vitest';
import { expectContractRoundTrips } from '../../testing/contract';
import { chatChannel, createRoomSchema, emojiSchema, type ChatMessage } from './chat';

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
	const ada = { id: 'u1', name: 'Ada', avatarKey: null };
	const message: ChatMessage = {
		seq: 7,
		rev: 12,
		id: 'm-7',
		user: { ...ada, avatarKey: 'avatars/u1.webp' },
		text: 'hello, "world" — 👋',
		createdAt: 1_700_000_000_000,
		editedAt: 1_700_000_060_000,
		deleted: false,
		reactions: [{ emoji: '👍', users: ['u1', 'u2'] }]
	};

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
				ack: { id: 'm-8', seq: 8, rev: 13, duplicate: false },
				message,
				edit: { ...message, text: 'fixed' },
				delete: { ...message, text: '', deleted: true, reactions: [] },
				react: message,
				typing: { users: [{ id: 'u2', name: 'Bo', ms: 4_200 }] },
				presence: { online: [ada], joined: ada },
				history: { kind: 'catchup', messages: [message], hasMore: false, rev: 12 },
				cursor: { seq: 7, unread: 3, mentions: 1 }
			}
		});
	});

	it('keeps the type bytes chat had before the contract (e2e/bench/chat.ts hardcodes send and message)', () => {
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
			ack: 2,
			message: 3,
			edit: 4,
			delete: 5,
			react: 6,
			typing: 7,
			presence: 8,
			history: 9,
			cursor: 10
		});
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
