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
}

export function socketClaims(claims: WorkspaceSocketClaims): Record<string, string | number> {
	return { workspaceId: claims.workspaceId, role: claims.role, claimsVersion: claims.claimsVersion };
}

export function workspaceSocketClaims(identity: SocketIdentity): WorkspaceSocketClaims | null {
	const c = identity.claims;
	if (!c) return null;
	const { workspaceId, role, claimsVersion } = c;
	if (typeof workspaceId !== 'string' || typeof claimsVersion !== 'number') return null;
	if (typeof role !== 'string' || !(WORKSPACE_ROLES as readonly string[]).includes(role)) return null;
	return { workspaceId, role: role as WorkspaceRole, claimsVersion };
}
