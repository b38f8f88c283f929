import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** Append-only record of security-relevant actions (sign-ups, membership changes, token grants). */
export const auditEvents = sqliteTable(
	'audit_events',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		at: integer('at', { mode: 'timestamp_ms' }).notNull(),
		actorId: text('actor_id'),
		action: text('action').notNull(),
		subject: text('subject'),
		detail: text('detail', { mode: 'json' })
	},
	(t) => [index('audit_events_actor_idx').on(t.actorId)]
);
