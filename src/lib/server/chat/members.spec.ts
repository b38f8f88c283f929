import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MEMBER_IDS_MAX, MEMBER_SUGGESTIONS_MAX, memberSuggestionsSchema } from '$lib/protocol/chat-members';
import { getDb } from '$lib/server/db';
import { users } from '$lib/server/db/schema';
import { newRoom, ORIGIN } from '../../../testing/chat';
import { newSession, signedInUser } from '../../../testing/users';
import { joinPublicRoom } from './rooms';

/** GET /api/members through the whole worker, as the composer asks it. */
async function suggest(cookie: string | null, room: string, q?: string, ids?: string) {
	const params = new URLSearchParams({
		room,
		...(q === undefined ? {} : { q }),
		...(ids === undefined ? {} : { ids })
	});
	const res = await exports.default.fetch(
		new Request(`${ORIGIN}/api/members?${params}`, { headers: cookie ? { cookie } : {} })
	);
	return { status: res.status, body: (await res.json()) as unknown };
}
const names = (body: unknown) => memberSuggestionsSchema.parse(body).members.map((m) => m.username);

/** An account row without a password hash worth the time (these accounts never sign in). */
async function account(username: string, displayName: string) {
	const user = { id: crypto.randomUUID(), username, displayName, passwordHash: 'none', createdAt: new Date() };
	await getDb(env).insert(users).values(user);
	return user;
}

async function member(roomId: string, username: string, displayName: string) {
	const user = await account(username, displayName);
	await joinPublicRoom(getDb(env), roomId, user.id);
	return user;
}

describe('GET /api/members (mention suggestions)', () => {
	it('suggests members by username or display-name word, leaves out the asker and non-members', async () => {
		const tag = crypto.randomUUID().slice(0, 6);
		const owner = await signedInUser(env, `own${tag}`);
		const room = await newRoom(env, owner.user.id);
		await member(room.id, `ada${tag}`, 'Ada Lovelace');
		await member(room.id, `grace${tag}`, 'Grace Hopper');
		await member(room.id, `a_b${tag}`, 'Underscore');
		await account(`adx${tag}`, 'Not In Room');

		expect(names((await suggest(owner.cookie, room.id, 'ADA')).body)).toEqual([`ada${tag}`]);
		// A word of the display name, not only its start.
		expect(names((await suggest(owner.cookie, room.id, 'hop')).body)).toEqual([`grace${tag}`]);
		// "_" is a username character, not LIKE's any-character wildcard.
		expect(names((await suggest(owner.cookie, room.id, 'a_')).body)).toEqual([`a_b${tag}`]);
		// Just "@": everyone but the asker, by username.
		expect(names((await suggest(owner.cookie, room.id)).body)).toEqual([`a_b${tag}`, `ada${tag}`, `grace${tag}`]);
		expect(names((await suggest(owner.cookie, room.id, 'own')).body)).toEqual([]);
		expect(names((await suggest(owner.cookie, room.id, '__proto__')).body)).toEqual([]);
	});

	it('names the members among given user ids (who reacted), at most a bounded number at once', async () => {
		const owner = await signedInUser(env);
		const room = await newRoom(env, owner.user.id);
		const tag = crypto.randomUUID().slice(0, 6);
		const ada = await member(room.id, `ada${tag}`, 'Ada Lovelace');
		const outsider = await account(`out${tag}`, 'Outsider');
		const { body } = await suggest(
			owner.cookie,
			room.id,
			undefined,
			`${ada.id},${outsider.id},${owner.user.id},${ada.id}`
		);
		expect(
			memberSuggestionsSchema
				.parse(body)
				.members.map((m) => m.name)
				.sort()
		).toEqual(['Ada Lovelace', owner.user.displayName].sort());
		const tooMany = Array.from({ length: MEMBER_IDS_MAX + 1 }, () => crypto.randomUUID()).join(',');
		expect(await suggest(owner.cookie, room.id, undefined, tooMany)).toMatchObject({ status: 400 });
		expect(await suggest(owner.cookie, room.id, undefined, "x' OR 1=1")).toMatchObject({ status: 400 });
	});

	it('answers at most one page, whatever the room size', async () => {
		const owner = await signedInUser(env);
		const room = await newRoom(env, owner.user.id);
		const tag = crypto.randomUUID().slice(0, 6);
		for (let i = 0; i < MEMBER_SUGGESTIONS_MAX + 4; i++) await member(room.id, `m${i}${tag}`, `Many ${i}`);
		const { status, body } = await suggest(owner.cookie, room.id, 'm');
		expect(status).toBe(200);
		expect(names(body)).toHaveLength(MEMBER_SUGGESTIONS_MAX);
	});

	it('refuses the signed-out, non-members, private rooms and a malformed query', async () => {
		const owner = await signedInUser(env);
		const stranger = await signedInUser(env);
		const open = await newRoom(env, owner.user.id);
		const secret = await newRoom(env, owner.user.id, 'private');
		expect((await suggest(null, open.id, 'a')).status).toBe(401);
		expect(await suggest(stranger.cookie, open.id, 'a')).toMatchObject({
			status: 403,
			body: { error: { code: 'forbidden' } }
		});
		expect(await suggest(stranger.cookie, secret.id, 'a')).toMatchObject({
			status: 404,
			body: { error: { code: 'not-found' } }
		});
		expect(await suggest(stranger.cookie, 'no-such-room', 'a')).toMatchObject({ status: 404 });
		const other = await newSession(env, owner.user.id);
		for (const q of ['%', 'a b', 'x'.repeat(33), "a'--"])
			expect(await suggest(other.cookie, open.id, q), q).toMatchObject({
				status: 400,
				body: { error: { code: 'bad-request' } }
			});
	});
});
