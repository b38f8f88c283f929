import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
	id: text('id').primaryKey(),
	/** Lower-cased login name; unique. */
	username: text('username').notNull().unique(),
	displayName: text('display_name').notNull(),
	/** Self-describing hash string, see src/lib/server/auth/password.ts. */
	passwordHash: text('password_hash').notNull(),
	/** R2 key in IMAGES, or null for the initials avatar. */
	avatarKey: text('avatar_key'),
	createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull()
});

/** Lucia-guide sessions: the id is the SHA-256 (hex) of the token; the token itself is never stored. */
export const sessions = sqliteTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [index('sessions_user_idx').on(t.userId)]
);

/**
 * Fixed-window failure counters for sign-in throttling, keyed by `pair:<name>|<client>`, `client:<client>` or
 * `user:<name>` (see src/lib/server/auth/throttle.ts).
 */
export const authThrottle = sqliteTable('auth_throttle', {
	key: text('key').primaryKey(),
	failures: integer('failures').notNull(),
	windowEndsAt: integer('window_ends_at', { mode: 'timestamp_ms' }).notNull()
});

export type User = typeof users.$inferSelect;
