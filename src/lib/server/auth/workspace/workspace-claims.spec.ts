import { env } from 'cloudflare:workers';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
	authorizeWorkspaceCaller,
	bumpClaimsVersion,
	guestIdentity,
	forgetSigningKey,
	GENERATED_SECRET_KEY,
	identifyWorkspaceCaller,
	isServerBypassToken,
	isSocketRefusal,
	issueWorkspaceToken,
	readClaimsVersion,
	signingKey,
	verifyWorkspaceToken,
	withoutSocketCredentials
} from '.';
import { PROTOTYPE_NAMES } from '../../../../testing/prototype-names';

const WS = 'ws-claims-test';

function socketRequest(query: Record<string, string>, headers: Record<string, string> = {}) {
	return new Request(`http://localhost/workspace/${WS}/ws?${new URLSearchParams(query)}`, {
		headers: { Upgrade: 'websocket', ...headers }
	});
}

afterEach(() => forgetSigningKey());

/** What the socket route decides for `request`, in its order: who (identify), then may they (authorize). */
async function authenticateWorkspaceSocket(
	request: Request,
	authEnv: Parameters<typeof identifyWorkspaceCaller>[1],
	workspaceId: string,
	guestCookie?: string
) {
	const caller = await identifyWorkspaceCaller(request, authEnv, guestCookie);
	if (isSocketRefusal(caller)) return caller;
	const identity = await authorizeWorkspaceCaller(caller, authEnv, workspaceId);
	return isSocketRefusal(identity) ? identity : { identity };
}

describe('workspace signing secret', () => {
	it('without JWT_SECRET, generates a random secret once and persists it in KV', async () => {
		const noSecret = { ...env, JWT_SECRET: undefined };
		const first = await signingKey(noSecret);
		const stored = await env.WORKSPACE_CLAIMS_VERSION.get(GENERATED_SECRET_KEY);
		expect(stored).toMatch(/^[0-9a-f]{64}$/);
		forgetSigningKey(); // a new isolate: must read the same secret back, not make another
		expect(await signingKey(noSecret)).toEqual(first);
	});

	it('uses JWT_SECRET when set, so tokens signed with the generated one are rejected', async () => {
		const generated = await issueWorkspaceToken(env, 'u1', { [WS]: 'editor' }, 0);
		forgetSigningKey();
		const configured = { ...env, JWT_SECRET: 'a-configured-secret-of-decent-length-0123456789' };
		await expect(verifyWorkspaceToken(configured, generated.token)).rejects.toThrow(/not valid/);
		const own = await issueWorkspaceToken(configured, 'u1', { [WS]: 'editor' }, 0);
		expect((await verifyWorkspaceToken(configured, own.token)).sub).toBe('u1');
	});
});

describe('workspace tokens', () => {
	it('carry sub, workspaces and workspaceClaimsVersion, and reject tampering', async () => {
		const { token } = await issueWorkspaceToken(env, 'u2', { [WS]: 'viewer' }, 7);
		const claims = await verifyWorkspaceToken(env, token);
		expect(claims).toMatchObject({ sub: 'u2', workspaces: { [WS]: 'viewer' }, workspaceClaimsVersion: 7 });
		const [h, p, s] = token.split('.');
		const forged = JSON.parse(atob(p.replace(/-/g, '+').replace(/_/g, '/')));
		forged.workspaces[WS] = 'owner';
		const forgedPayload = btoa(JSON.stringify(forged)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
		await expect(verifyWorkspaceToken(env, `${h}.${forgedPayload}.${s}`)).rejects.toThrow(/not valid/);
	});

	it('accept a recently expired token only for reconnects within GRACE_PERIOD_SECONDS', async () => {
		const expiredAgo = async (seconds: number) => {
			const now = Math.floor(Date.now() / 1000);
			return new SignJWT({ workspaces: { [WS]: 'editor' }, workspaceClaimsVersion: 0 })
				.setProtectedHeader({ alg: 'HS256' })
				.setSubject('u3')
				.setIssuer('murmur')
				.setAudience('murmur-workspace')
				.setIssuedAt(now - 600)
				.setExpirationTime(now - seconds)
				.sign(await signingKey(env));
		};
		const recent = await expiredAgo(20);
		await expect(verifyWorkspaceToken(env, recent)).rejects.toThrow(/expired/);
		expect((await verifyWorkspaceToken(env, recent, { reconnect: true })).sub).toBe('u3');
		await expect(verifyWorkspaceToken(env, await expiredAgo(120), { reconnect: true })).rejects.toThrow(/expired/);

		const viaSocket = await authenticateWorkspaceSocket(socketRequest({ token: recent }), env, WS);
		expect(viaSocket).toMatchObject({ status: 401 });
		const reconnect = await authenticateWorkspaceSocket(socketRequest({ token: recent, reconnect: '1' }), env, WS);
		expect(reconnect).toMatchObject({ identity: { kind: 'user', id: 'u3' } });
	});
});

describe('claims versions', () => {
	it('a bump makes earlier tokens stale at the socket check', async () => {
		const before = await readClaimsVersion(env, 'u4', true);
		const { token } = await issueWorkspaceToken(env, 'u4', { [WS]: 'editor' }, before);
		expect(await authenticateWorkspaceSocket(socketRequest({ token }), env, WS)).toHaveProperty('identity');
		const after = await bumpClaimsVersion(env, 'u4');
		expect(after).toBeGreaterThan(before);
		expect(await authenticateWorkspaceSocket(socketRequest({ token }), env, WS)).toMatchObject({
			status: 401,
			code: 'claims-stale',
			message: /out of date/
		});
		const other = await authenticateWorkspaceSocket(
			socketRequest({ token: (await issueWorkspaceToken(env, 'u4', { other: 'editor' }, after)).token }),
			env,
			WS
		);
		expect(other).toMatchObject({ status: 403 });
	});
});

describe('membership in the claims', () => {
	it('is an own property: a prototype name is no workspace of the token', async () => {
		const { token } = await issueWorkspaceToken(env, 'u5', { [WS]: 'editor' }, 0);
		for (const name of PROTOTYPE_NAMES) {
			const result = await authenticateWorkspaceSocket(socketRequest({ token }), env, name);
			expect(result, name).toEqual({
				status: 403,
				code: 'not-a-member',
				message: 'You are not a member of this workspace.'
			});
		}
		expect(await authenticateWorkspaceSocket(socketRequest({ token }), env, WS)).toHaveProperty('identity');
	});
});

describe('service bypass and demo mode', () => {
	it('SERVER_BYPASS_TOKEN authorises a service; unset disables the bypass', async () => {
		const withBypass = { ...env, SERVER_BYPASS_TOKEN: 'svc-secret-123' };
		const bearer = (token: string) => socketRequest({}, { authorization: `Bearer ${token}` });
		expect(await authenticateWorkspaceSocket(bearer('svc-secret-123'), withBypass, WS)).toMatchObject({
			identity: { kind: 'service' }
		});
		expect(await authenticateWorkspaceSocket(bearer('wrong'), withBypass, WS)).toMatchObject({ status: 401 });
		expect(
			await authenticateWorkspaceSocket(bearer('svc-secret-123'), { ...env, SERVER_BYPASS_TOKEN: undefined }, WS)
		).toMatchObject({ status: 401 });
		expect(await isServerBypassToken({ ...env, SERVER_BYPASS_TOKEN: '' }, '')).toBe(false);
	});

	it('REQUIRE_AUTH=false lets a guest into the demo workspace only; the default requires a token', async () => {
		const demo = { ...env, REQUIRE_AUTH: 'false' };
		expect(await authenticateWorkspaceSocket(socketRequest({}), demo, 'demo')).toMatchObject({
			identity: { kind: 'user', name: 'Guest' }
		});
		const guest = guestIdentity(undefined).id;
		expect(await authenticateWorkspaceSocket(socketRequest({}), demo, 'demo', guest)).toMatchObject({
			identity: { kind: 'user', id: guest, name: 'Guest' }
		});
		expect(await authenticateWorkspaceSocket(socketRequest({}), demo, WS)).toMatchObject({ status: 401 });
		expect(await authenticateWorkspaceSocket(socketRequest({}), env, 'demo')).toMatchObject({ status: 401 });
	});
});

describe('demo guests', () => {
	it('keep the id their cookie names, and get a new unguessable one for a missing or foreign cookie', () => {
		const first = guestIdentity(undefined);
		expect(first.fresh).toBe(true);
		expect(first.id).toMatch(/^guest-[0-9a-f-]{36}$/);
		expect(guestIdentity(first.id)).toEqual({ id: first.id, fresh: false });
		expect(guestIdentity(undefined).id).not.toBe(first.id);
		for (const forged of ['guest-1', 'admin', `${first.id}x`, `user-${first.id.slice(6)}`, '']) {
			const identity = guestIdentity(forged);
			expect(identity.fresh).toBe(true);
			expect(identity.id).not.toBe(forged);
		}
	});
});

describe('forwarding a workspace socket to its Durable Object', () => {
	it('drops the JWT and the reconnect flag from the URL and keeps the upgrade', () => {
		const original = socketRequest({ token: 'secret.jwt.value', reconnect: '1', other: 'kept' }, { origin: 'x' });
		const forwarded = withoutSocketCredentials(original);
		const url = new URL(forwarded.url);
		expect(url.searchParams.has('token')).toBe(false);
		expect(url.searchParams.has('reconnect')).toBe(false);
		expect(forwarded.url).not.toContain('secret.jwt.value');
		expect(url.searchParams.get('other')).toBe('kept');
		expect(url.pathname).toBe(`/workspace/${WS}/ws`);
		expect(forwarded.headers.get('upgrade')).toBe('websocket');
		expect(forwarded.headers.get('origin')).toBe('x');
	});
});
