import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { users } from './auth';

/**
 * The chat room directory. A room's messages live in its ChatRoom Durable Object (named by `id`); D1
 * only knows that the room exists, who may enter it and how to invite.
 */
export const chatRooms = sqliteTable(
	'chat_rooms',
	{
		id: text('id').primaryKey(),
		name: text('name').notNull(),
		/** Public rooms are listed and anyone signed in may join; private rooms need membership or an invite. */
		isPrivate: integer('is_private', { mode: 'boolean' }).notNull(),
		createdBy: text('created_by')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/**
		 * SHA-256 (hex) of the current invite token, or null when no invite link exists. Only the hash is
		 * stored, so a database leak does not leak working invite links; making a new link replaces it.
		 */
		inviteHash: text('invite_hash').unique(),
		createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [index('chat_rooms_private_idx').on(t.isPrivate)]
);

export const chatMemberships = sqliteTable(
	'chat_memberships',
	{
		roomId: text('room_id')
			.notNull()
			.references(() => chatRooms.id, { onDelete: 'cascade' }),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		role: text('role', { enum: ['owner', 'member'] }).notNull(),
		joinedAt: integer('joined_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [primaryKey({ columns: [t.roomId, t.userId] }), index('chat_memberships_user_idx').on(t.userId)]
);

export type ChatRoomRow = typeof chatRooms.$inferSelect;
