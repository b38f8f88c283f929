import { evictDurableObject, listDurableObjectIds } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { swarmChannel } from '$lib/protocol/swarm-channel';
import { upgrade as upgradeChannel } from '../../../testing/channel-socket';
import { workspaceChannel } from '$lib/protocol/workspace-channel';
import { createInvite, joinDevice, ownerWithSwarm } from '../../../testing/swarm';
import { signedInUser } from '../../../testing/users';
import { createWorkspaceVia, ORIGIN, tokenFor } from '../../../testing/workspace';

/**
 * Cross-site WebSocket hijacking: a foreign page's socket carries the visitor's cookies (and can carry a
 * leaked token), so the workspace and swarm-device routes must refuse a foreign Origin with 403 before
 * any Durable Object is created or woken. The allowed origin, same request otherwise, gets its 101: the
 * refusal is the Origin's doing, not a broken credential.
 */
const FOREIGN = 'https://evil.example';

function upgrade(path: string, origin: string, cookie?: string) {
	const headers: Record<string, string> = { Upgrade: 'websocket', origin };
	if (cookie) headers.cookie = cookie;
	return exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers }));
}

/** A swarm socket upgrade speaking this deploy's protocol version (the route answers others with "reload"). */
function upgradeSwarm(path: string, origin: string, cookie: string) {
	return upgradeChannel(swarmChannel, path, { origin, cookie });
}

/** Whether the object is running right now (evicting it is the probe: a sleeping object cannot be evicted). */
async function isRunning(stub: DurableObjectStub): Promise<boolean> {
	return evictDurableObject(stub).then(
		() => true,
		() => false
	);
}

async function workspaceObjectExists(workspaceId: string): Promise<boolean> {
	const wanted = env.WORKSPACE_SYNC.idFromName(workspaceId);
	return (await listDurableObjectIds(env.WORKSPACE_SYNC)).some((id) => id.equals(wanted));
}

describe('Origin check on socket routes', () => {
	it('workspace socket: a foreign Origin gets 403 and no WorkspaceSync is created; the own origin gets 101', async () => {
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'origin check');
		const token = await tokenFor(owner.cookie);
		const path = `/workspace/${workspaceId}/ws?token=${encodeURIComponent(token)}&v=${workspaceChannel.version}`;

		for (const origin of [FOREIGN, 'http://localhost.evil.example', 'null']) {
			const refused = await upgrade(path, origin, owner.cookie);
			expect(refused.status, origin).toBe(403);
			expect(refused.webSocket).toBeNull();
		}
		expect(await workspaceObjectExists(workspaceId)).toBe(false);

		const accepted = await upgrade(path, ORIGIN, owner.cookie);
		expect(accepted.status).toBe(101);
		accepted.webSocket!.accept();
		accepted.webSocket!.close(1000);
		// The probe can see an object: the refusals above really left none behind.
		expect(await workspaceObjectExists(workspaceId)).toBe(true);
	});

	it('swarm device socket: a foreign Origin gets 403 and never wakes the coordinator; the own origin gets 101', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm('origin check');
		const invite = await createInvite(swarmId, owner.cookie);
		const device = await joinDevice(swarmId, invite.token, 'phone');
		const path = `/swarm/${swarmId}/device/ws`;
		await evictDurableObject(stub); // asleep now: any request through the stub would wake it
		expect(await isRunning(stub)).toBe(false);

		const refused = await upgradeSwarm(path, FOREIGN, device.cookie);
		expect(refused.status).toBe(403);
		expect(refused.webSocket).toBeNull();
		expect(await isRunning(stub)).toBe(false);

		const accepted = await upgradeSwarm(path, ORIGIN, device.cookie);
		expect(accepted.status).toBe(101);
		accepted.webSocket!.accept();
		expect(await isRunning(stub)).toBe(true);
		accepted.webSocket!.close(1000);
	});
});
