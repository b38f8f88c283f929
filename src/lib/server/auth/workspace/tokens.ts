import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { log } from '$lib/server/log';
import { WORKSPACE_ROLES, type WorkspaceRole } from '$lib/server/db/schema';
import { gracePeriodSeconds, signingKey, type WorkspaceAuthEnv } from './secrets';

/**
 * Short-lived workspace JWTs (HS256 via jose). The browser fetches one with its session cookie and
 * presents it when opening a workspace socket, so the socket path needs no D1 lookup: the token says
 * which workspaces the user belongs to and at which claims version.
 */

/** Five minutes: long enough for a page's reconnects, short enough that a leaked token soon dies. */
export const WORKSPACE_TOKEN_TTL_SECONDS = 5 * 60;
const ISSUER = 'murmur';
const AUDIENCE = 'murmur-workspace';

export const workspaceClaimsSchema = z.object({
	sub: z.string().min(1),
	/** Workspace id → the member's role in it. */
	workspaces: z.record(z.string(), z.enum(WORKSPACE_ROLES)),
	workspaceClaimsVersion: z.number().int().nonnegative(),
	exp: z.number()
});
export type WorkspaceClaims = z.infer<typeof workspaceClaimsSchema>;

/**
 * The member's role in `workspaceId` by the token, or null. An own-property lookup: the route's id is
 * whatever the caller typed, and `claims.workspaces["constructor"]` (or `__proto__`, `toString`) is
 * inherited from Object.prototype and truthy, which let any valid token through to the object.
 */
export function roleIn(claims: WorkspaceClaims, workspaceId: string): WorkspaceRole | null {
	return Object.hasOwn(claims.workspaces, workspaceId) ? claims.workspaces[workspaceId] : null;
}

export class WorkspaceTokenError extends Error {
	constructor(
		readonly status: 401 | 403,
		/** Stable for programs: the socket route's refusal code. */
		readonly code: 'token-invalid' | 'token-expired',
		message: string
	) {
		super(message);
		this.name = 'WorkspaceTokenError';
	}
}

export async function issueWorkspaceToken(
	env: WorkspaceAuthEnv,
	subject: string,
	workspaces: Record<string, WorkspaceRole>,
	workspaceClaimsVersion: number
): Promise<{ token: string; expiresAt: number }> {
	const now = Math.floor(Date.now() / 1000);
	const exp = now + WORKSPACE_TOKEN_TTL_SECONDS;
	const payload = { workspaces, workspaceClaimsVersion };
	const token = await new SignJWT(payload)
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setSubject(subject)
		.setIssuer(ISSUER)
		.setAudience(AUDIENCE)
		.setIssuedAt(now)
		.setExpirationTime(exp)
		.sign(await signingKey(env));
	// Sizes only: a token is a credential and never goes to the logs.
	log('info', 'workspace token issued', {
		sub: subject,
		workspaces: Object.keys(workspaces).length,
		payloadBytes: JSON.stringify(payload).length,
		tokenBytes: token.length
	});
	return { token, expiresAt: exp * 1000 };
}

/**
 * Verifies signature, issuer, audience and expiry. `reconnect` accepts a token that expired within
 * GRACE_PERIOD_SECONDS: a client resuming a socket after a blip may still hold the old one.
 */
export async function verifyWorkspaceToken(
	env: WorkspaceAuthEnv,
	token: string,
	{ reconnect = false }: { reconnect?: boolean } = {}
): Promise<WorkspaceClaims> {
	try {
		const { payload } = await jwtVerify(token, await signingKey(env), {
			algorithms: ['HS256'],
			issuer: ISSUER,
			audience: AUDIENCE,
			clockTolerance: reconnect ? gracePeriodSeconds(env) : 0
		});
		const parsed = workspaceClaimsSchema.safeParse(payload);
		if (!parsed.success)
			throw new WorkspaceTokenError(401, 'token-invalid', 'The workspace token has malformed claims.');
		return parsed.data;
	} catch (error) {
		if (error instanceof WorkspaceTokenError) throw error;
		if (error instanceof errors.JWTExpired)
			throw new WorkspaceTokenError(401, 'token-expired', 'The workspace token has expired.');
		throw new WorkspaceTokenError(401, 'token-invalid', 'The workspace token is not valid.');
	}
}
