import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { users } from './auth';

/**
 * The swarm directory: which swarms exist and who owns them. Everything inside a swarm (devices, invites,
 * jobs, chunks, log) lives in its SwarmCoordinator Durable Object, named by the swarm id.
 */
export const swarms = sqliteTable(
	'swarms',
	{
		id: text('id').primaryKey(),
		ownerId: text('owner_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull()
	},
	(t) => [index('swarms_owner_idx').on(t.ownerId)]
);

export type Swarm = typeof swarms.$inferSelect;
