import type { SocketIdentity } from '$lib/server/realtime/identity';
import { socketClaims } from '$lib/server/workspace/socket-claims';
import { DEMO_WORKSPACE_ID } from '$lib/server/workspace/directory';
import { readClaimsVersion } from './claims-version';
import { guestIdentity } from './guest';
import { authRequired, gracePeriodSeconds, isServerBypassToken, type WorkspaceAuthEnv } from './secrets';
import { roleIn, verifyWorkspaceToken, WorkspaceTokenError } from './tokens';

/** The query parameter carrying the JWT: browsers cannot set headers on a WebSocket handshake. */
export const TOKEN_PARAM = 'token';
/** Set by a client re-opening a socket it had open before; only then is an expired token within the grace period accepted. */
export const RECONNECT_PARAM = 'reconnect';

/**
 * The upgrade request as the Durable Object gets it: without the JWT (and the reconnect flag) in its
 * URL. The object needs only the verified claims, which travel in the trusted identity header; a token
 * left in the URL would be one more place a credential could be logged from.
 */
export function withoutSocketCredentials(request: Request): Request {
	const url = new URL(request.url);
	url.searchParams.delete(TOKEN_PARAM);
	url.searchParams.delete(RECONNECT_PARAM);
	return new Request(url, request);
}

export type SocketAuthResult = { identity: SocketIdentity } | { status: 401 | 403; error: string };

/**
 * Who may open a socket on `workspaceId`, decided in the worker before the upgrade reaches the object:
 * an internal service presenting SERVER_BYPASS_TOKEN (Authorization: Bearer), a member with a valid
 * workspace JWT whose claims version is current, or — only with REQUIRE_AUTH=false — a guest on the
 * demo workspace, under the id its `murmur_guest` cookie names (guest.ts). The Durable Object checks the
 * version again, uncached.
 */
export async function authenticateWorkspaceSocket(
	request: Request,
	env: WorkspaceAuthEnv,
	workspaceId: string,
	guestCookie?: string
): Promise<SocketAuthResult> {
	const bearer = request.headers.get('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
	if (bearer !== null) {
		if (!(await isServerBypassToken(env, bearer))) return { status: 401, error: 'Unknown service token.' };
		return {
			identity: {
				kind: 'service',
				id: 'service',
				name: 'Internal service',
				claims: socketClaims({ workspaceId, role: 'owner', claimsVersion: 0 })
			}
		};
	}

	const url = new URL(request.url);
	const token = url.searchParams.get(TOKEN_PARAM);
	if (!token) {
		if (!authRequired(env) && workspaceId === DEMO_WORKSPACE_ID) {
			return {
				identity: {
					kind: 'user',
					id: guestIdentity(guestCookie).id,
					name: 'Guest',
					claims: socketClaims({ workspaceId, role: 'editor', claimsVersion: 0 })
				}
			};
		}
		return { status: 401, error: 'A workspace token is required.' };
	}

	try {
		const reconnect = url.searchParams.get(RECONNECT_PARAM) === '1';
		const claims = await verifyWorkspaceToken(env, token, { reconnect });
		const role = roleIn(claims, workspaceId);
		if (!role) return { status: 403, error: 'You are not a member of this workspace.' };
		const current = await readClaimsVersion(env, claims.sub);
		if (claims.workspaceClaimsVersion < current) {
			return { status: 401, error: 'Your workspace claims are out of date: fetch a new token.' };
		}
		return {
			identity: {
				kind: 'user',
				id: claims.sub,
				name: claims.sub,
				claims: socketClaims({
					workspaceId,
					role,
					claimsVersion: claims.workspaceClaimsVersion,
					// The socket is good exactly as long as the token was accepted for.
					expiresAt: (claims.exp + (reconnect ? gracePeriodSeconds(env) : 0)) * 1000
				})
			}
		};
	} catch (error) {
		if (error instanceof WorkspaceTokenError) return { status: error.status, error: error.message };
		throw error;
	}
}
