import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '$lib/protocol/codec';
import type { KeyframePayload } from '$lib/protocol/swarm-dashboard';
import { loadCodec } from '$lib/server/codec';
import {
	createInvite,
	ownerWithSwarm,
	processed,
	streamDashboard,
	type StreamedDashboard
} from '../../../testing/swarm';
import { FRAME_JSON_BYTES } from './dashboard-rows';
import { MAX_DEVICES } from './membership';
import type { SwarmCoordinator } from './swarm-coordinator';
import type { SwarmStore } from './storage';

/**
 * Devices describe themselves (name, GPU, user agent), and JSON escapes a control character as six bytes:
 * a full swarm of devices that say as much as the join schema allows is ~9 MB of keyframe, far over the
 * codec's 1 MiB frame cap. The owner's dashboard must still get every device, in frames the codec takes.
 */

const talkative = (i: number) => ({
	name: `"${i}"`.padEnd(64, '\u0001'),
	cores: 8,
	memoryGb: 8,
	gpu: '\\'.repeat(128),
	userAgent: '\u0002'.repeat(512)
});

/** The keyframe parts the dashboard got since frame `from`, decoded, and the JSON size of each frame's payload. */
async function keyframeParts(dash: StreamedDashboard, from: number) {
	const codec = await loadCodec();
	const frames = dash.socket.messages.slice(from);
	const raw = dash.socket.raw.slice(from);
	const parts = frames.flatMap((m) => (m.type === 'keyframe' ? [m.payload as KeyframePayload] : []));
	const jsonBytes = raw.flatMap((r, i) => (frames[i].type === 'keyframe' ? [codec.decode(r).payload.byteLength] : []));
	return { parts, jsonBytes };
}

function expectWholeTable(dash: StreamedDashboard, { parts, jsonBytes }: Awaited<ReturnType<typeof keyframeParts>>) {
	expect(parts.length).toBeGreaterThan(1);
	// One tick in order: the first part carries the lists, the others only further devices.
	expect(parts.map((p) => [p.tick, p.part, p.parts])).toEqual(parts.map((_, i) => [parts[0].tick, i, parts.length]));
	for (const part of parts.slice(1)) expect(part).toMatchObject({ jobs: [], log: [], invites: [] });
	for (const bytes of jsonBytes) expect(bytes).toBeLessThanOrEqual(FRAME_JSON_BYTES);
	expect(new Set(parts.flatMap((p) => p.devices.map((d) => d.id))).size).toBe(MAX_DEVICES);
	// The reducer put them together: every device, at the keyframe's tick.
	expect(dash.model.devices.size).toBe(MAX_DEVICES);
	expect(dash.stream.position).toBe(parts[0].tick);
	expect(dash.model.devices.get('device-0')!.userAgent).toBe(talkative(0).userAgent);
}

describe('a dashboard keyframe of a full swarm of talkative devices', () => {
	it('comes as several frames under the codec cap that together hold every device, on connect and on broadcast', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const watching = await streamDashboard(swarmId, owner.cookie);
		await watching.ready();
		await runInDurableObject(stub, async (instance: SwarmCoordinator) => {
			const store = (instance as unknown as { store: SwarmStore }).store;
			for (let i = 0; i < MAX_DEVICES; i++) store.insertDevice(`device-${i}`, invite.id, talkative(i), Date.now());
		});
		expect(MAX_DEVICES * 4_000).toBeGreaterThan(MAX_PAYLOAD_BYTES * 4);

		// The broadcast: a delta adding every device would not fit in a frame, so it is a keyframe in parts.
		const sent = watching.socket.messages.length;
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		await processed(watching.socket);
		expectWholeTable(watching, await keyframeParts(watching, sent));

		// A dashboard that connects gets the same, as its first frames.
		const dash = await streamDashboard(swarmId, owner.cookie);
		await processed(dash.socket);
		expectWholeTable(dash, await keyframeParts(dash, 0));
		expect(FRAME_JSON_BYTES).toBeLessThan(MAX_PAYLOAD_BYTES);
		dash.socket.ws.close(1000);
		watching.socket.ws.close(1000);
	});
});
