import { WORKSPACE_ROLES, type WorkspaceRole } from '$lib/server/db/schema';
import type { SocketIdentity } from '$lib/server/realtime/identity';

/**
 * What the worker route puts in a workspace socket's identity claims after verifying the JWT: the one
 * workspace this socket is for, the member's role in it and the claims version of the token. The DO
 * re-checks the version against KV and its own revocations.
 */
export interface WorkspaceSocketClaims {
	workspaceId: string;
	role: WorkspaceRole;
	claimsVersion: number;
	/**
	 * When the socket's token stops being good (ms): its `exp`, plus the grace period when the socket was a
	 * reconnect. Past it the object closes the socket rather than serve it. Absent for sockets opened
	 * without a JWT (services, token-less demo guests).
	 */
	expiresAt?: number;
}

export function socketClaims(claims: WorkspaceSocketClaims): Record<string, string | number> {
	const { workspaceId, role, claimsVersion, expiresAt } = claims;
	return expiresAt === undefined
		? { workspaceId, role, claimsVersion }
		: { workspaceId, role, claimsVersion, expiresAt };
}

export function workspaceSocketClaims(identity: SocketIdentity): WorkspaceSocketClaims | null {
	const c = identity.claims;
	if (!c) return null;
	const { workspaceId, role, claimsVersion, expiresAt } = c;
	if (typeof workspaceId !== 'string' || typeof claimsVersion !== 'number') return null;
	if (typeof role !== 'string' || !(WORKSPACE_ROLES as readonly string[]).includes(role)) return null;
	if (expiresAt !== undefined && typeof expiresAt !== 'number') return null;
	return { workspaceId, role: role as WorkspaceRole, claimsVersion, expiresAt };
}

/** True once the socket's token is no longer good (see `expiresAt`). */
export function socketTokenExpired(identity: SocketIdentity, now: number): boolean {
	const expiresAt = workspaceSocketClaims(identity)?.expiresAt;
	return expiresAt !== undefined && now >= expiresAt;
}
