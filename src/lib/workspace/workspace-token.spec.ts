import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signedInUser } from '../../testing/users';
import { createWorkspaceVia, ORIGIN, openSocket, postAction, refusalOf } from '../../testing/workspace';
import { WorkspaceToken } from './workspace-token';

/**
 * The page's token for its socket reconnects, against the real token route and the real upgrade: reused
 * only after a socket opened with it and while half its life is left, fetched afresh otherwise — and a
 * reused token is still judged by the upgrade, so revocation holds.
 */
describe('the workspace token of a page', () => {
	it('is reused on reconnects while good, and refetched after a refusal, a forget or half its life', async () => {
		const owner = await signedInUser(env);
		const member = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'token reuse');
		const added = await postAction(owner.cookie, `/workspace/${workspaceId}/members?/add`, {
			username: member.user.username,
			role: 'editor'
		});
		expect(added.status).toBe(200);

		let fetches = 0;
		let clock = Date.now();
		const token = new WorkspaceToken(
			() => {
				fetches++;
				return exports.default.fetch(
					new Request(`${ORIGIN}/api/workspace/token`, { headers: { cookie: member.cookie } })
				);
			},
			() => clock
		);
		/** One connection attempt as the page makes it: a token, the upgrade, `accepted()` once it opened. */
		const attempt = async () => {
			const presented = await token.forConnect();
			const response = await openSocket(workspaceId, presented);
			response.webSocket?.accept();
			if (response.status === 101) token.accepted();
			response.webSocket?.close(1000);
			return { presented, response };
		};

		token.prefetch();
		const first = await attempt();
		expect(first.response.status).toBe(101);
		expect(fetches).toBe(1); // the prefetched one

		// A reconnect (the network dropped): the same token, no request.
		const second = await attempt();
		expect(second.response.status).toBe(101);
		expect(second.presented).toBe(first.presented);
		expect(fetches).toBe(1);

		// The server closed for the token's sake (4001, 4002): a fresh one.
		token.forget();
		const third = await attempt();
		expect(third.response.status).toBe(101);
		expect(fetches).toBe(2);

		// Under half its five minutes left: a fresh one, though the held one is still valid.
		clock += 2.5 * 60_000 + 1_000;
		const fourth = await attempt();
		expect(fourth.response.status).toBe(101);
		expect(fetches).toBe(3);
		clock = Date.now();

		// Removed: the held, accepted token is refused by the upgrade (its claims version is stale)…
		const removed = await postAction(owner.cookie, `/workspace/${workspaceId}/members?/remove`, {
			userId: member.user.id
		});
		expect(removed.status).toBe(200);
		const refused = await attempt();
		expect(refused.presented).toBe(fourth.presented);
		expect(fetches).toBe(3);
		expect(refused.response.status).toBe(401);
		expect(await refusalOf(refused.response)).toMatchObject({ code: 'claims-stale' });

		// …so the next attempt fetches a fresh one, which no longer names the workspace.
		const fresh = await attempt();
		expect(fetches).toBe(4);
		expect(fresh.presented).not.toBe(refused.presented);
		expect(fresh.response.status).toBe(403);
		expect(await refusalOf(fresh.response)).toMatchObject({ code: 'not-a-member' });
	});

	it('fetches again when a request failed, and throws for the socket to back off', async () => {
		let fetches = 0;
		const token = new WorkspaceToken(async () => {
			fetches++;
			return exports.default.fetch(new Request(`${ORIGIN}/api/workspace/token`)); // no session: 401
		});
		token.prefetch();
		await expect(token.forConnect()).rejects.toThrow(/token request failed \(401\)/);
		await expect(token.forConnect()).rejects.toThrow(/401/);
		expect(fetches).toBe(3);
	});
});
