import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { newRoom, upgrade as chatUpgrade } from '../../../testing/chat';
import { upgrade } from '../../../testing/channel-socket';
import { coordinatorSql, createInvite, joinDevice, openSocket, ORIGIN, ownerWithSwarm } from '../../../testing/swarm';
import { signedInUser } from '../../../testing/users';
import { createWorkspaceVia, openSocket as openWorkspaceSocket, tokenFor } from '../../../testing/workspace';
import { generateSessionToken, SESSION_COOKIE } from '$lib/server/auth/session';
import { getDb } from '$lib/server/db';
import { sessions, swarms, users } from '$lib/server/db/schema';
import { relayChannel } from '$lib/protocol/relay';

/**
 * Responses from a Durable Object stub have immutable headers (see DESIGN.md, "Realtime conventions").
 *
 * Each socket route lets a request through its own checks and the Durable Object then refuses it. The
 * object's Response comes from `stub.fetch()`, whose headers are immutable: the client must still get the
 * object's own status and body, with the security headers every response carries (hooks.server.ts).
 */

/** Past the 128 characters a socket identity's name may have (the sign-up form stops at 64). */
const OVERLONG_NAME = 'n'.repeat(129);

async function userWithOverlongName() {
	const signedIn = await signedInUser(env);
	await getDb(env).update(users).set({ displayName: OVERLONG_NAME }).where(eq(users.id, signedIn.user.id));
	return signedIn;
}

function expectSecurityHeaders(response: Response) {
	expect(response.headers.get('x-content-type-options')).toBe('nosniff');
	expect(response.headers.get('x-frame-options')).toBe('DENY');
	expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
	expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
}

describe("a Durable Object's own refusal reaches the client", () => {
	it('chat: a member whose identity the ChatRoom rejects gets its 401', async () => {
		const { user, cookie } = await userWithOverlongName();
		const room = await newRoom(env, user.id);
		const response = await chatUpgrade(cookie, room.id);
		expect(response.status).toBe(401);
		expect(await response.text()).toBe('Missing socket identity.');
		expectSecurityHeaders(response);
	});

	it('realtime relay: a user whose identity the RelayRoom rejects gets its 401', async () => {
		const { cookie } = await userWithOverlongName();
		const response = await upgrade(relayChannel, '/realtime/refusal-1/ws', { cookie });
		expect(response.status).toBe(401);
		expect(await response.text()).toBe('Missing socket identity.');
		expectSecurityHeaders(response);
	});

	it('swarm dashboard: a swarm in D1 whose coordinator was never initialised answers its 404', async () => {
		// The state createSwarm leaves when the D1 insert succeeds and the coordinator's init does not.
		const owner = await signedInUser(env);
		const id = crypto.randomUUID().replaceAll('-', '');
		await getDb(env).insert(swarms).values({ id, ownerId: owner.user.id, name: 'Half made', createdAt: new Date() });
		const response = await openSocket(`/swarm/${id}/ws`, owner.cookie);
		expect(response.status).toBe(404);
		expect(await response.json()).toEqual({ error: { code: 'not-found', message: 'No such swarm.' } });
		expectSecurityHeaders(response);
	});

	it('swarm device: a live device the coordinator then refuses gets its 404', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const device = await joinDevice(swarmId, invite.token, 'refused device');
		// The credential still verifies (authenticateDevice), but the coordinator has lost its owner.
		await coordinatorSql(stub, (sql) => sql.exec(`DELETE FROM meta WHERE key = 'ownerId'`));
		const response = await openSocket(`/swarm/${swarmId}/device/ws`, device.cookie);
		expect(response.status).toBe(404);
		expect(await response.json()).toEqual({ error: { code: 'not-found', message: 'No such swarm.' } });
		expectSecurityHeaders(response);
	});

	it("workspace: a token the worker accepts but the object's own revocation refuses gets its 401", async () => {
		const { user, cookie } = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(cookie);
		const token = await tokenFor(cookie);
		// The object has recorded a revocation the worker's KV read does not know of yet.
		const sync = env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
		await sync.revokeUser(user.id, Number.MAX_SAFE_INTEGER);
		const response = await openWorkspaceSocket(workspaceId, token);
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({
			error: { code: 'claims-stale', message: 'Your workspace claims are out of date: fetch a new token.' }
		});
		expectSecurityHeaders(response);
	});
});

describe("a socket upgrade never needs to add a cookie to the Durable Object's response", () => {
	it('a session due for renewal opens its socket, and the next page load renews it', async () => {
		const { user, cookie } = await signedInUser(env);
		const db = getDb(env);
		const dueForRenewal = new Date(Date.now() + 24 * 60 * 60 * 1000);
		await db.update(sessions).set({ expiresAt: dueForRenewal }).where(eq(sessions.userId, user.id));

		const upgraded = await upgrade(relayChannel, '/realtime/renewal-1/ws', { cookie });
		expect(upgraded.status).toBe(101);
		upgraded.webSocket!.accept();
		upgraded.webSocket!.close(1000);
		const [untouched] = await db.select().from(sessions).where(eq(sessions.userId, user.id));
		expect(untouched.expiresAt.getTime()).toBe(dueForRenewal.getTime());

		const page = await exports.default.fetch(new Request(`${ORIGIN}/profile`, { headers: { cookie } }));
		expect(page.status).toBe(200);
		expect(page.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
		const [renewed] = await db.select().from(sessions).where(eq(sessions.userId, user.id));
		expect(renewed.expiresAt.getTime()).toBeGreaterThan(dueForRenewal.getTime());
	});

	it('a device whose browser still holds a dead session cookie opens its socket', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const device = await joinDevice(swarmId, invite.token, 'device with a stale session');
		const deadSession = `${SESSION_COOKIE}=${generateSessionToken()}`;
		const response = await openSocket(`/swarm/${swarmId}/device/ws`, `${device.cookie}; ${deadSession}`);
		expect(response.status).toBe(101);
		response.webSocket!.accept();
		response.webSocket!.close(1000);
	});
});
