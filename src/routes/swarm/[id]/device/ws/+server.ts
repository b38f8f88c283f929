import type { RequestEvent } from '@sveltejs/kit';
import { swarmChannel } from '$lib/protocol/swarm-channel';
import { getDb } from '$lib/server/db';
import type { SocketRefusal } from '$lib/server/realtime/socket-route';
import { socketRoute } from '$lib/server/realtime/socket-route';
import { DEVICE_COOKIE } from '$lib/server/swarm/device-cookie';
import { coordinator, findSwarm } from '$lib/server/swarm/directory';

/**
 * A device's socket. Devices have no account: the HttpOnly device cookie carries an HMAC credential that
 * only the swarm's coordinator can verify (signature, device not left or revoked, invite not revoked), so
 * that RPC is the identity step, after the Origin check. It is asked only once D1 knows the swarm: a stub
 * for a random id would create a coordinator (and its storage), so the existence check that is authorize's
 * in other routes runs here first, and authorize only names the object.
 */
async function identify({ params, platform, cookies }: RequestEvent): Promise<Device | SocketRefusal | null> {
	const credential = cookies.get(DEVICE_COOKIE);
	if (!credential) return null;
	const env = platform!.env;
	const swarm = await findSwarm(getDb(env), params.id!);
	if (!swarm) return { status: 404, code: 'not-found', message: 'No such swarm.' };
	const device = await coordinator(env, swarm.id).authenticateDevice(credential);
	return device ? { ...device, swarmId: swarm.id } : null;
}

interface Device {
	swarmId: string;
	deviceId: string;
	name: string;
}

export const GET = socketRoute<Device>({
	channel: swarmChannel,
	namespace: (env) => env.SWARM_COORDINATOR,
	identify,
	authorize: (_event, device) => ({ object: device.swarmId }),
	identity: (device) => ({ kind: 'device', id: device.deviceId, name: device.name })
});
