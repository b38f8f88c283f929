import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '$lib/server/db';
import { auditEvents, chatRooms } from '$lib/server/db/schema';
import { signedInUser } from '../../../testing/users';
import {
	createInvite,
	createRoom,
	joinByInvite,
	joinPublicRoom,
	leaveRoom,
	listRooms,
	RoomAccessError,
	requireMember,
	roomAccess
} from './rooms';

const db = getDb(env);

describe('chat room directory in D1', () => {
	it('creates public and private rooms and lists them per user', async () => {
		const owner = await signedInUser(env);
		const other = await signedInUser(env);
		const pub = await createRoom(db, owner.user.id, { name: 'Lobby', visibility: 'public' });
		const priv = await createRoom(db, owner.user.id, { name: 'Secret', visibility: 'private' });
		const mine = await listRooms(db, owner.user.id);
		expect(mine.mine.map((r) => r.id).sort()).toEqual([pub.id, priv.id].sort());
		const theirs = await listRooms(db, other.user.id);
		expect(theirs.mine).toEqual([]);
		expect(theirs.open.map((r) => r.id)).toContain(pub.id);
		expect(theirs.open.map((r) => r.id)).not.toContain(priv.id);
		expect(await roomAccess(db, priv.id, other.user.id)).toBeNull();
		expect((await roomAccess(db, pub.id, other.user.id))?.member).toBe(false);
	});

	it('joins public rooms freely, private rooms only by the current invite link', async () => {
		const owner = await signedInUser(env);
		const guest = await signedInUser(env);
		const priv = await createRoom(db, owner.user.id, { name: 'Private', visibility: 'private' });
		await expect(joinPublicRoom(db, priv.id, guest.user.id)).rejects.toBeInstanceOf(RoomAccessError);
		await expect(createInvite(db, priv.id, guest.user.id)).rejects.toBeInstanceOf(RoomAccessError);

		const first = await createInvite(db, priv.id, owner.user.id);
		const second = await createInvite(db, priv.id, owner.user.id); // replaces the first
		const [row] = await db.select().from(chatRooms).where(eq(chatRooms.id, priv.id));
		expect(row!.inviteHash).toMatch(/^[0-9a-f]{64}$/);
		expect(row!.inviteHash).not.toContain(second);
		await expect(joinByInvite(db, first, guest.user.id)).rejects.toBeInstanceOf(RoomAccessError);
		await expect(joinByInvite(db, 'garbage', guest.user.id)).rejects.toBeInstanceOf(RoomAccessError);
		expect((await joinByInvite(db, second, guest.user.id)).id).toBe(priv.id);
		expect((await requireMember(db, priv.id, guest.user.id)).id).toBe(priv.id);
		// A member who is not the owner cannot rotate (and so revoke) the link.
		await expect(createInvite(db, priv.id, guest.user.id)).rejects.toThrow(/Only the room's owner/);
		// The only owner of a private room cannot leave it; an owner of a public room can.
		await expect(leaveRoom(db, priv.id, owner.user.id)).rejects.toThrow(/only owner/);
		expect((await roomAccess(db, priv.id, owner.user.id))?.role).toBe('owner');
		const pub = await createRoom(db, owner.user.id, { name: 'Open', visibility: 'public' });
		await leaveRoom(db, pub.id, owner.user.id);
		expect((await roomAccess(db, pub.id, owner.user.id))?.member).toBe(false);
		const audit = await db.select().from(auditEvents).where(eq(auditEvents.subject, priv.id));
		expect(audit.map((a) => a.action)).toEqual(
			expect.arrayContaining(['chat.room-create', 'chat.invite-create', 'chat.invite-redeem'])
		);

		await leaveRoom(db, priv.id, guest.user.id);
		expect(await roomAccess(db, priv.id, guest.user.id)).toBeNull();
	});
});
