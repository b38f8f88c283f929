import type { DeviceView, InviteTokenView, JobView, LogLine } from './swarm';

/**
 * The wire order of each record the dashboard stream carries as column tuples (swarm-rows.ts). Append a
 * field's column where its record gets the field (the row schemas refuse a record with a field and no
 * column), and bump the swarm channel's version: rows are read by position. Only types are imported, so
 * Node's benches can load this file as it is.
 */

/** A record type's fields in wire order; keyed records put `id` first. */
export type Columns<V> = readonly (keyof V & string)[];

export const DEVICE_COLUMNS = [
	'id',
	'inviteId',
	'name',
	'status',
	'score',
	'inFlight',
	'done',
	'failed',
	'cpuMs',
	'votesWon',
	'votesLost',
	'quarantined',
	'paused',
	'slots',
	'cores',
	'memoryGb',
	'gpu',
	'userAgent',
	'joinedAt',
	'lastSeenAt'
] as const satisfies Columns<DeviceView>;

export const JOB_COLUMNS = [
	'id',
	'kind',
	'status',
	'spec',
	'k',
	'total',
	'done',
	'disagreements',
	'retries',
	'createdAt',
	'finishedAt',
	'answer',
	'error'
] as const satisfies Columns<JobView>;

export const INVITE_COLUMNS = [
	'id',
	'createdAt',
	'expiresAt',
	'maxUses',
	'uses',
	'revokedAt'
] as const satisfies Columns<InviteTokenView>;

export const LOG_COLUMNS = ['seq', 'at', 'level', 'text'] as const satisfies Columns<LogLine>;
