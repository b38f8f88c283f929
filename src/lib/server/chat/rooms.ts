import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, asc, eq, notInArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { createRoomSchema } from '$lib/protocol/chat';
import type { Db } from '$lib/server/db';
import { auditEvents, chatMemberships, chatRooms, type ChatRoomRow } from '$lib/server/db/schema';

/**
 * The room directory in D1: which rooms exist, who is a member, invite links. Every way into a room (page,
 * socket, REST) asks `roomAccess` first; the ChatRoom Durable Object trusts what the worker decided.
 */

/** 20 random bytes = 160 bits: invite links cannot be guessed (same strength as session tokens). */
const INVITE_TOKEN_BYTES = 20;

export type RoomSummary = Pick<ChatRoomRow, 'id' | 'name' | 'isPrivate'>;

export class RoomAccessError extends Error {
	constructor(
		readonly status: 403 | 404,
		message: string
	) {
		super(message);
		this.name = 'RoomAccessError';
	}
}

export function inviteHash(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createRoom(db: Db, userId: string, input: z.infer<typeof createRoomSchema>) {
	const now = new Date();
	const room = {
		id: crypto.randomUUID(),
		name: input.name,
		isPrivate: input.visibility === 'private',
		createdBy: userId,
		inviteHash: null,
		createdAt: now
	};
	await db.batch([
		db.insert(chatRooms).values(room),
		db.insert(chatMemberships).values({ roomId: room.id, userId, role: 'owner', joinedAt: now }),
		db.insert(auditEvents).values({
			at: now,
			actorId: userId,
			action: 'chat.room-create',
			subject: room.id,
			detail: { private: room.isPrivate }
		})
	]);
	return room;
}

/** The rooms a user belongs to (with when they joined each), by name. */
export async function myRooms(db: Db, userId: string, limit?: number) {
	const query = db
		.select({
			id: chatRooms.id,
			name: chatRooms.name,
			isPrivate: chatRooms.isPrivate,
			joinedAt: chatMemberships.joinedAt
		})
		.from(chatMemberships)
		.innerJoin(chatRooms, eq(chatRooms.id, chatMemberships.roomId))
		.where(eq(chatMemberships.userId, userId))
		.orderBy(asc(chatRooms.name));
	return limit === undefined ? query : query.limit(limit);
}

/** The rooms a user belongs to, and the public rooms they could join. */
export async function listRooms(db: Db, userId: string) {
	const mine = await myRooms(db, userId);
	const joinedIds = mine.map((r) => r.id);
	const open = await db
		.select({ id: chatRooms.id, name: chatRooms.name, isPrivate: chatRooms.isPrivate })
		.from(chatRooms)
		.where(
			joinedIds.length > 0
				? and(eq(chatRooms.isPrivate, false), notInArray(chatRooms.id, joinedIds))
				: eq(chatRooms.isPrivate, false)
		)
		.orderBy(asc(chatRooms.name))
		.limit(200);
	return { mine, open: open as RoomSummary[] };
}

/**
 * What a user may do in a room. Unknown rooms and private rooms the user is not in look the same (404),
 * so room ids cannot be probed.
 */
export async function roomAccess(db: Db, roomId: string, userId: string) {
	const [row] = await db
		.select({ room: chatRooms, role: chatMemberships.role, joinedAt: chatMemberships.joinedAt })
		.from(chatRooms)
		.leftJoin(chatMemberships, and(eq(chatMemberships.roomId, chatRooms.id), eq(chatMemberships.userId, userId)))
		.where(eq(chatRooms.id, roomId));
	if (!row || (row.room.isPrivate && !row.role)) return null;
	return { room: row.room, member: row.role !== null, role: row.role, joinedAt: row.joinedAt };
}

/** Throws RoomAccessError unless the user is a member (sockets and REST writes need membership). */
export async function requireMember(db: Db, roomId: string, userId: string) {
	const access = await roomAccess(db, roomId, userId);
	if (!access) throw new RoomAccessError(404, 'No such room.');
	if (!access.member) throw new RoomAccessError(403, 'Join the room first.');
	return access.room;
}

export async function joinPublicRoom(db: Db, roomId: string, userId: string) {
	const access = await roomAccess(db, roomId, userId);
	if (!access) throw new RoomAccessError(404, 'No such room.');
	if (!access.member) {
		await db
			.insert(chatMemberships)
			.values({ roomId, userId, role: 'member', joinedAt: new Date() })
			.onConflictDoNothing();
	}
	return access.room;
}

/** Redeems an invite link: the token's hash must match the room's current invite. */
export async function joinByInvite(db: Db, token: string, userId: string) {
	if (!/^[a-z2-7]{32}$/.test(token)) throw new RoomAccessError(404, 'That invite link is not valid.');
	const [room] = await db
		.select()
		.from(chatRooms)
		.where(eq(chatRooms.inviteHash, inviteHash(token)));
	if (!room) throw new RoomAccessError(404, 'That invite link is not valid (it may have been replaced).');
	const now = new Date();
	await db.batch([
		db.insert(chatMemberships).values({ roomId: room.id, userId, role: 'member', joinedAt: now }).onConflictDoNothing(),
		db.insert(auditEvents).values({ at: now, actorId: userId, action: 'chat.invite-redeem', subject: room.id })
	]);
	return room;
}

/**
 * Makes a new invite link (replacing any earlier one). Returns the token; only its hash is stored. Owners
 * only: a new link revokes the current one, which must not be something any member can do to the others.
 */
export async function createInvite(db: Db, roomId: string, userId: string) {
	const access = await roomAccess(db, roomId, userId);
	if (!access) throw new RoomAccessError(404, 'No such room.');
	if (access.role !== 'owner')
		throw new RoomAccessError(403, "Only the room's owner can make an invite link (it replaces the current one).");
	const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(INVITE_TOKEN_BYTES)));
	const now = new Date();
	await db.batch([
		db
			.update(chatRooms)
			.set({ inviteHash: inviteHash(token) })
			.where(eq(chatRooms.id, roomId)),
		db.insert(auditEvents).values({ at: now, actorId: userId, action: 'chat.invite-create', subject: roomId })
	]);
	return token;
}

/**
 * Leaves a room. The last owner of a private room cannot: nobody could make invite links any more, so no
 * one new could ever get in.
 */
export async function leaveRoom(db: Db, roomId: string, userId: string) {
	const access = await roomAccess(db, roomId, userId);
	if (access?.role === 'owner' && access.room.isPrivate) {
		const owners = await db
			.select({ userId: chatMemberships.userId })
			.from(chatMemberships)
			.where(and(eq(chatMemberships.roomId, roomId), eq(chatMemberships.role, 'owner')));
		if (owners.length <= 1)
			throw new RoomAccessError(
				403,
				"You are this private room's only owner, so you cannot leave it: no one could invite anyone any more."
			);
	}
	await db.delete(chatMemberships).where(and(eq(chatMemberships.roomId, roomId), eq(chatMemberships.userId, userId)));
}
