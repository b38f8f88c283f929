import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signedInUser } from '../../../testing/users';
import { connect, createWorkspaceVia, openSocket, postAction, refusalOf, tokenFor } from '../../../testing/workspace';
import { claimsVersionKey } from '$lib/server/auth/workspace';
import { withIdentity } from '$lib/server/realtime/identity';
import { VERSION_PARAM } from '$lib/protocol/channel';
import { workspaceChannel } from '$lib/protocol/workspace-channel';

describe('removing a workspace member', () => {
	it('closes their open socket with 1008 and refuses their next connection', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'revocation');
		const added = await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		expect(added.status).toBe(200);

		const oldToken = await tokenFor(member.cookie);
		const memberSocket = await connect(workspaceId, oldToken);
		const ownerSocket = await connect(workspaceId, await tokenFor(owner.cookie));
		await memberSocket.next('hello');
		await ownerSocket.next('hello');
		const versionBefore = Number(await env.WORKSPACE_CLAIMS_VERSION.get(claimsVersionKey(member.user.id)));

		const removed = await postAction(owner.cookie, `/workspace/${workspaceId}/members?/remove`, {
			userId: member.user.id
		});
		expect(removed.status).toBe(200);
		const closed = await memberSocket.closed;
		expect(closed.code).toBe(1008);
		expect(closed.reason).toMatch(/membership/i);
		expect(Number(await env.WORKSPACE_CLAIMS_VERSION.get(claimsVersionKey(member.user.id)))).toBeGreaterThan(
			versionBefore
		);

		// The still-unexpired token now carries a stale claims version.
		const retry = await openSocket(workspaceId, oldToken);
		expect(retry.status).toBe(401);
		expect(await refusalOf(retry)).toMatchObject({ code: 'claims-stale', message: /out of date/ });
		// Even with an expired-token grace (reconnect) the stale version is refused.
		expect((await openSocket(workspaceId, oldToken, { reconnect: '1' })).status).toBe(401);
		// A fresh token no longer names the workspace.
		const fresh = await openSocket(workspaceId, await tokenFor(member.cookie));
		expect(fresh.status).toBe(403);

		// The owner's socket was untouched.
		ownerSocket.send('pull', { cursor: 0, backendId: null });
		expect((await ownerSocket.next('events')).type).toBe('events');
	});

	it('a role change closes their socket with 4001 (reconnect), not 1008, and a fresh token gets the new role', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'role-change');
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		const oldToken = await tokenFor(member.cookie);
		const socket = await connect(workspaceId, oldToken);
		expect((await socket.next('hello')).payload.role).toBe('editor');

		const changed = await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'viewer'
		});
		expect(changed.status).toBe(200);
		const closed = await socket.closed;
		expect(closed.code).toBe(4001);
		expect(closed.reason).toMatch(/reconnect/i);

		// The old token (editor) is stale; the fresh one connects, as a viewer.
		expect((await openSocket(workspaceId, oldToken)).status).toBe(401);
		const again = await connect(workspaceId, await tokenFor(member.cookie));
		expect((await again.next('hello')).payload.role).toBe('viewer');
		again.ws.close(1000);
	});

	it('the Durable Object itself refuses a stale claims version (no trust in the worker cache)', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'do-check');
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/remove`, { userId: member.user.id });
		const stub = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
		const upgrade = (claimsVersion: number) =>
			stub.fetch(
				withIdentity(
					new Request(`http://do/ws?${VERSION_PARAM}=${workspaceChannel.version}`, {
						headers: { Upgrade: 'websocket' }
					}),
					{
						kind: 'user',
						id: member.user.id,
						name: 'member',
						claims: { workspaceId, role: 'editor', claimsVersion }
					}
				)
			);
		expect((await upgrade(1)).status).toBe(401);
		const current = Number(await env.WORKSPACE_CLAIMS_VERSION.get(claimsVersionKey(member.user.id)));
		const ok = await upgrade(current);
		expect(ok.status).toBe(101);
		const socket = ok.webSocket!;
		// Admitted, not closed: the object's first word is its hello frame.
		const first = new Promise<string>((resolve) => {
			socket.addEventListener('message', () => resolve('message'));
			socket.addEventListener('close', (event) => resolve(`close ${event.code}`));
		});
		socket.accept();
		expect(await first).toBe('message');
		socket.close(1000);
	});

	it('only the owner manages members', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'owner-only');
		await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		const attempt = await postAction(member.cookie, `/workspace/${workspaceId}/members?/remove`, {
			userId: owner.user.id
		});
		expect(attempt.status).toBe(403);
		const unknown = await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: 'nobody-here',
			role: 'editor'
		});
		expect(unknown.status).toBe(404);
	});
});
