import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '$lib/server/db';
import { auditEvents, users, workspaceMembers, workspaces, type WorkspaceRole } from '$lib/server/db/schema';
import { bumpClaimsVersion } from '$lib/server/auth/workspace/claims-version';
import type { WorkspaceAuthEnv } from '$lib/server/auth/workspace/secrets';

/**
 * The workspace directory in D1: which workspaces exist and who belongs with which role. Every change
 * to a user's memberships bumps their claims version (so their old tokens go stale) and tells the
 * workspace's Durable Object to close their open sockets.
 */

/** The workspace that REQUIRE_AUTH=false opens to visitors without an account (local demo only). */
export const DEMO_WORKSPACE_ID = 'demo';

export const workspaceNameSchema = z
	.string()
	.trim()
	.min(1, 'Give the workspace a name.')
	.max(80, 'At most 80 characters.');

export class MembershipError extends Error {
	constructor(
		readonly status: 400 | 403 | 404 | 409,
		message: string
	) {
		super(message);
	}
}

type DirectoryEnv = WorkspaceAuthEnv & Pick<Env, 'DB' | 'WORKSPACE_SYNC'>;

export async function listWorkspaces(db: Db, userId: string) {
	return db
		.select({ id: workspaces.id, name: workspaces.name, role: workspaceMembers.role })
		.from(workspaceMembers)
		.innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
		.where(eq(workspaceMembers.userId, userId))
		.orderBy(asc(workspaces.name));
}

/** Workspace id → role, for the user's JWT claims. */
export async function membershipClaims(db: Db, userId: string): Promise<Record<string, WorkspaceRole>> {
	const rows = await db
		.select({ workspaceId: workspaceMembers.workspaceId, role: workspaceMembers.role })
		.from(workspaceMembers)
		.where(eq(workspaceMembers.userId, userId));
	return Object.fromEntries(rows.map((r) => [r.workspaceId, r.role]));
}

export async function getWorkspace(db: Db, workspaceId: string, userId: string) {
	const [row] = await db
		.select({ id: workspaces.id, name: workspaces.name, ownerId: workspaces.ownerId, role: workspaceMembers.role })
		.from(workspaces)
		.innerJoin(workspaceMembers, eq(workspaceMembers.workspaceId, workspaces.id))
		.where(and(eq(workspaces.id, workspaceId), eq(workspaceMembers.userId, userId)));
	return row ?? null;
}

export async function listMembers(db: Db, workspaceId: string) {
	return db
		.select({
			userId: users.id,
			username: users.username,
			displayName: users.displayName,
			role: workspaceMembers.role
		})
		.from(workspaceMembers)
		.innerJoin(users, eq(users.id, workspaceMembers.userId))
		.where(eq(workspaceMembers.workspaceId, workspaceId))
		.orderBy(asc(users.displayName));
}

export async function createWorkspace(env: DirectoryEnv, db: Db, ownerId: string, name: string) {
	const id = crypto.randomUUID();
	const now = new Date();
	await db.batch([
		db.insert(workspaces).values({ id, name, ownerId, createdAt: now }),
		db.insert(workspaceMembers).values({ workspaceId: id, userId: ownerId, role: 'owner', addedAt: now }),
		db.insert(auditEvents).values({ at: now, actorId: ownerId, action: 'workspace.create', subject: id })
	]);
	await bumpClaimsVersion(env, ownerId);
	return { id, name };
}

/** Owner-only: adds a user by username, or changes the role of an existing member. */
export async function addMember(
	env: DirectoryEnv,
	db: Db,
	actorId: string,
	workspaceId: string,
	username: string,
	role: Exclude<WorkspaceRole, 'owner'>
) {
	await requireOwner(db, workspaceId, actorId);
	const [user] = await db.select({ id: users.id }).from(users).where(eq(users.username, username.trim().toLowerCase()));
	if (!user) throw new MembershipError(404, `No user is called "${username}".`);
	if (user.id === actorId) throw new MembershipError(400, 'You already own this workspace.');
	const now = new Date();
	await db.batch([
		db
			.insert(workspaceMembers)
			.values({ workspaceId, userId: user.id, role, addedAt: now })
			.onConflictDoUpdate({ target: [workspaceMembers.workspaceId, workspaceMembers.userId], set: { role } }),
		db.insert(auditEvents).values({
			at: now,
			actorId,
			action: 'workspace.member.add',
			subject: workspaceId,
			detail: { userId: user.id, role }
		})
	]);
	await membershipChanged(env, workspaceId, user.id, 'claims-changed');
	return user.id;
}

/** Owner-only: removes a member; their tokens go stale and their sockets close with 1008. */
export async function removeMember(env: DirectoryEnv, db: Db, actorId: string, workspaceId: string, userId: string) {
	await requireOwner(db, workspaceId, actorId);
	if (userId === actorId) throw new MembershipError(400, 'The owner cannot be removed.');
	const removed = await db
		.delete(workspaceMembers)
		.where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
		.returning({ userId: workspaceMembers.userId });
	if (removed.length === 0) throw new MembershipError(404, 'That user is not a member.');
	await db.insert(auditEvents).values({
		at: new Date(),
		actorId,
		action: 'workspace.member.remove',
		subject: workspaceId,
		detail: { userId }
	});
	return membershipChanged(env, workspaceId, userId, 'removed');
}

async function requireOwner(db: Db, workspaceId: string, actorId: string) {
	const workspace = await getWorkspace(db, workspaceId, actorId);
	if (!workspace) throw new MembershipError(404, 'No such workspace.');
	if (workspace.role !== 'owner') throw new MembershipError(403, 'Only the owner can manage members.');
}

/**
 * Bump first (new tokens carry the new version), then have the object refuse older ones and close
 * sockets: 1008 for a removed member, 4001 (reconnect) for an added member or a changed role.
 */
async function membershipChanged(
	env: DirectoryEnv,
	workspaceId: string,
	userId: string,
	change: 'removed' | 'claims-changed'
): Promise<number> {
	const version = await bumpClaimsVersion(env, userId);
	const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
	return stub.revokeUser(userId, version, change);
}
