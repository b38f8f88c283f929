import { desc, eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { auditEvents, swarms, type Swarm } from '$lib/server/db/schema';
import { randomHex } from './credentials';

/** Swarms per owner: each one is a Durable Object with its own storage. */
export const MAX_SWARMS_PER_OWNER = 20;

export function coordinator(env: Env, swarmId: string) {
	return env.SWARM_COORDINATOR.get(env.SWARM_COORDINATOR.idFromName(swarmId));
}

export async function createSwarm(db: Db, env: Env, ownerId: string, name: string): Promise<Swarm | { error: string }> {
	const owned = await db.select({ id: swarms.id }).from(swarms).where(eq(swarms.ownerId, ownerId));
	if (owned.length >= MAX_SWARMS_PER_OWNER) return { error: `You can own at most ${MAX_SWARMS_PER_OWNER} swarms.` };
	const swarm: Swarm = { id: randomHex(16), ownerId, name, createdAt: new Date() };
	await db.insert(swarms).values(swarm);
	await coordinator(env, swarm.id).init(swarm.id, ownerId, name);
	await db.insert(auditEvents).values({ at: new Date(), actorId: ownerId, action: 'swarm.create', subject: swarm.id });
	return swarm;
}

export async function listSwarms(db: Db, ownerId: string): Promise<Swarm[]> {
	return db.select().from(swarms).where(eq(swarms.ownerId, ownerId)).orderBy(desc(swarms.createdAt));
}

export async function findSwarm(db: Db, swarmId: string): Promise<Swarm | null> {
	if (!/^[a-f0-9]{32}$/.test(swarmId)) return null;
	const [row] = await db.select().from(swarms).where(eq(swarms.id, swarmId));
	return row ?? null;
}

/**
 * The swarm when `userId` owns it, else null: callers answer 404 either way (not 403), so ids of others'
 * swarms are not confirmed.
 */
export async function ownedSwarm(db: Db, swarmId: string, userId: string | undefined): Promise<Swarm | null> {
	const swarm = await findSwarm(db, swarmId);
	return swarm && userId && swarm.ownerId === userId ? swarm : null;
}

export async function audit(db: Db, actorId: string | null, action: string, subject: string, detail?: unknown) {
	await db.insert(auditEvents).values({ at: new Date(), actorId, action, subject, detail: detail ?? null });
}
