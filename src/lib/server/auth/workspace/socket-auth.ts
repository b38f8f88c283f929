import type { SocketIdentity } from '$lib/server/realtime/identity';
import type { SocketRefusal } from '$lib/server/realtime/socket-route';
import { socketClaims } from '$lib/server/workspace/socket-claims';
import { DEMO_WORKSPACE_ID } from '$lib/server/workspace/directory';
import { readClaimsVersion } from './claims-version';
import { guestIdentity } from './guest';
import { authRequired, gracePeriodSeconds, isServerBypassToken, type WorkspaceAuthEnv } from './secrets';
import { roleIn, verifyWorkspaceToken, WorkspaceTokenError, type WorkspaceClaims } from './tokens';

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

/**
 * Who is asking for a workspace socket, by a credential that has been verified — not yet whether they
 * may open this workspace: an internal service (SERVER_BYPASS_TOKEN), the holder of a valid workspace JWT,
 * or — only with REQUIRE_AUTH=false and no token — a demo guest under the id its `murmur_guest` cookie
 * names (guest.ts).
 */
export type WorkspaceCaller =
	{ kind: 'service' } | { kind: 'guest'; id: string } | { kind: 'member'; claims: WorkspaceClaims; reconnect: boolean };

/** A refusal in the REST error shape; the codes are stable for programs. */
const refusal = (status: SocketRefusal['status'], code: string, message: string): SocketRefusal => ({
	status,
	code,
	message
});

/**
 * The "who" of a workspace socket (socketRoute's identify): a service presents `Authorization: Bearer`,
 * a member `?token=` (with `&reconnect=1` when resuming, which accepts a token expired within
 * GRACE_PERIOD_SECONDS). Verifies the credential and nothing else: no membership, no KV.
 */
export async function identifyWorkspaceCaller(
	request: Request,
	env: WorkspaceAuthEnv,
	guestCookie?: string
): Promise<WorkspaceCaller | SocketRefusal> {
	const bearer = request.headers.get('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
	if (bearer !== null) {
		if (!(await isServerBypassToken(env, bearer))) return refusal(401, 'service-token', 'Unknown service token.');
		return { kind: 'service' };
	}
	const url = new URL(request.url);
	const token = url.searchParams.get(TOKEN_PARAM);
	if (!token) {
		if (!authRequired(env)) return { kind: 'guest', id: guestIdentity(guestCookie).id };
		return refusal(401, 'token-required', 'A workspace token is required.');
	}
	const reconnect = url.searchParams.get(RECONNECT_PARAM) === '1';
	try {
		return { kind: 'member', claims: await verifyWorkspaceToken(env, token, { reconnect }), reconnect };
	} catch (error) {
		if (error instanceof WorkspaceTokenError) return refusal(error.status, error.code, error.message);
		throw error;
	}
}

/**
 * The "may they" of a workspace socket (socketRoute's authorize): a service may open any workspace (as
 * owner); a guest only the demo; a member only a workspace their token names, by an own-property lookup
 * (`roleIn`: a prototype name is no workspace), at a claims version that is still current. Returns the
 * identity the Durable Object trusts; the object checks the version again, uncached.
 */
export async function authorizeWorkspaceCaller(
	caller: WorkspaceCaller,
	env: WorkspaceAuthEnv,
	workspaceId: string
): Promise<SocketIdentity | SocketRefusal> {
	if (caller.kind === 'service') {
		const claims = socketClaims({ workspaceId, role: 'owner', claimsVersion: 0 });
		return { kind: 'service', id: 'service', name: 'Internal service', claims };
	}
	if (caller.kind === 'guest') {
		if (workspaceId !== DEMO_WORKSPACE_ID) return refusal(401, 'token-required', 'A workspace token is required.');
		const claims = socketClaims({ workspaceId, role: 'editor', claimsVersion: 0 });
		return { kind: 'user', id: caller.id, name: 'Guest', claims };
	}
	const { claims, reconnect } = caller;
	const role = roleIn(claims, workspaceId);
	if (!role) return refusal(403, 'not-a-member', 'You are not a member of this workspace.');
	if (claims.workspaceClaimsVersion < (await readClaimsVersion(env, claims.sub))) {
		return refusal(401, 'claims-stale', 'Your workspace claims are out of date: fetch a new token.');
	}
	return {
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
	};
}

export function isSocketRefusal(value: unknown): value is SocketRefusal {
	return typeof value === 'object' && value !== null && 'status' in value && 'code' in value;
}
