import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { connectDashboard, ownerWithSwarm, processed } from '../../../testing/swarm';

describe('dashboard refresh budget', () => {
	it('answers a burst of refreshes at once, and the rest with one keyframe at the next broadcast', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const asker = await connectDashboard(swarmId, owner.cookie);
		await asker.take('keyframe');
		const other = await connectDashboard(swarmId, owner.cookie);
		await other.take('keyframe');
		// The other dashboard's connect moved the stream a tick: the asker got that delta.
		await asker.take('delta');

		const asked = Array.from({ length: 30 }, () => asker.send('refresh', {}));
		await processed(asker);
		const answered = asker.received.filter((m) => m.type === 'keyframe');
		expect(answered.map((m) => m.seq)).toEqual(asked.slice(0, 5));
		await processed(other);
		// Each answered refresh moved the stream for the other dashboard too, and only those.
		expect(other.received.filter((m) => m.type === 'delta')).toHaveLength(5);

		expect(await runDurableObjectAlarm(stub)).toBe(true);
		await other.take('delta', (m) => m.payload.tick === answered[4]!.payload.tick + 1);
		const owed = await asker.take('keyframe', (m) => m.seq === 0);
		expect(owed.payload.tick).toBe(answered[4]!.payload.tick + 1);
		await processed(asker);
		expect(asker.received.filter((m) => m.type === 'keyframe' && m !== owed)).toHaveLength(5);
		asker.ws.close(1000);
		other.ws.close(1000);
	});
});
