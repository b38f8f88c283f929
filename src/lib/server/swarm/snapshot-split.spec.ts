import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '$lib/protocol/codec';
import type { SnapshotPayload } from '$lib/protocol/swarm-channel';
import { connectDashboard, createInvite, ownerWithSwarm, processed } from '../../../testing/swarm';
import { MAX_DEVICES } from './membership';
import { SNAPSHOT_FRAME_BYTES } from './snapshot';
import type { SwarmCoordinator } from './swarm-coordinator';
import type { SwarmStore } from './storage';

/**
 * Devices describe themselves (name, GPU, user agent), and JSON escapes a control character as six bytes:
 * a full swarm of devices that say as much as the join schema allows is ~9 MB of snapshot, far over the
 * codec's 1 MiB frame cap. The owner's dashboard must still get every device, in frames the codec takes.
 */

const talkative = (i: number) => ({
	name: `"${i}"`.padEnd(64, '\u0001'),
	cores: 8,
	memoryGb: 8,
	gpu: '\\'.repeat(128),
	userAgent: '\u0002'.repeat(512)
});

async function snapshots(dash: Awaited<ReturnType<typeof connectDashboard>>): Promise<SnapshotPayload[]> {
	await processed(dash);
	return dash.received.splice(0).flatMap((m) => (m.type === 'snapshot' ? [m.payload] : []));
}

function expectWholeTable(frames: SnapshotPayload[]) {
	expect(frames.length).toBeGreaterThan(1);
	// The first frame sets the table (full: it replaces it), the rest only add rows to it.
	expect(frames[0].full).toBe(true);
	for (const frame of frames.slice(1)) expect(frame).toMatchObject({ full: false, log: [] });
	for (const frame of frames) {
		expect(new TextEncoder().encode(JSON.stringify(frame)).byteLength).toBeLessThanOrEqual(SNAPSHOT_FRAME_BYTES);
	}
	const ids = frames.flatMap((f) => f.devices.map((d) => d.id));
	expect(new Set(ids).size).toBe(MAX_DEVICES);
	expect(ids.length).toBe(MAX_DEVICES);
	const one = frames.at(-1)!.devices[0];
	expect(one.userAgent).toBe(talkative(0).userAgent);
}

describe('a dashboard snapshot of a full swarm of talkative devices', () => {
	it('comes as several frames under the codec cap that together hold every device, on connect and on broadcast', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		await runInDurableObject(stub, async (instance: SwarmCoordinator) => {
			const store = (instance as unknown as { store: SwarmStore }).store;
			for (let i = 0; i < MAX_DEVICES; i++) store.insertDevice(`device-${i}`, invite.id, talkative(i), Date.now());
		});
		expect(MAX_DEVICES * 4_000).toBeGreaterThan(MAX_PAYLOAD_BYTES * 4);

		const dash = await connectDashboard(swarmId, owner.cookie);
		expectWholeTable(await snapshots(dash));

		// The alarm's broadcast: the devices are new since the last one, so the delta holds all of them.
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const broadcast = await snapshots(dash);
		expect(broadcast.flatMap((f) => f.devices).length).toBe(MAX_DEVICES);
		for (const frame of broadcast.slice(1)) expect(frame).toMatchObject({ full: false, log: [] });
		dash.ws.close(1000);
	});
});
