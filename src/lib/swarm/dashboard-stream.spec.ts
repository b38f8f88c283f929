import { describe, expect, it } from 'vitest';
import type { DeviceView } from '$lib/protocol/swarm';
import type { DeltaPayload, KeyframePayload } from '$lib/protocol/swarm-dashboard';
import { DashboardStream, emptyModel } from './dashboard-stream';

/**
 * The reducer's own rules, on hand-made frames (dashboard-stream.spec.ts in server/swarm drives it over real
 * sockets): what it applies, what it ignores, and that anything it cannot apply exactly is a gap that asks
 * for one keyframe.
 */

const device = (id: string, done = 0): DeviceView => ({
	id,
	inviteId: '12'.repeat(8),
	name: `device ${id}`,
	status: 'online',
	score: 1000,
	inFlight: 0,
	done,
	failed: 0,
	cpuMs: 0,
	votesWon: 0,
	votesLost: 0,
	quarantined: false,
	paused: false,
	slots: 1,
	cores: 4,
	memoryGb: null,
	gpu: null,
	userAgent: 'test',
	joinedAt: 1,
	lastSeenAt: 1
});

const keyframe = (tick: number, devices: DeviceView[], part = 0, parts = 1): KeyframePayload => ({
	tick,
	part,
	parts,
	at: tick,
	swarm: { id: 'swarm', name: 'Lab' },
	devices,
	jobs: [],
	log: [],
	throughput: [],
	invites: []
});

function streamOf() {
	const model = emptyModel();
	let asked = 0;
	const stream = new DashboardStream(model, () => asked++);
	return { model, stream, asked: () => asked };
}

describe('DashboardStream', () => {
	it('applies the next delta, ignores old ones and any before its first keyframe', () => {
		const { model, stream, asked } = streamOf();
		expect(stream.delta({ tick: 2, at: 2 })).toBe('ignored');
		expect(stream.keyframe(keyframe(4, [device('a')]))).toBe('applied');
		expect(stream.delta({ tick: 4, at: 4, devices: { drop: ['a'] } })).toBe('ignored');
		expect(stream.delta({ tick: 5, at: 5, devices: { set: [{ id: 'a', set: { done: 3 } }] } })).toBe('applied');
		expect(model.devices.get('a')).toEqual(device('a', 3));
		expect([stream.position, model.at, asked()]).toEqual([5, 5, 0]);
	});

	it('asks once for a keyframe on a tick jump or a change to a device it lacks, and waits for it', () => {
		for (const bad of [
			{ tick: 3, at: 3 },
			{ tick: 2, at: 2, devices: { set: [{ id: 'nobody', set: { done: 1 } }] } },
			{ tick: 2, at: 2, jobs: { order: ['no-such-job'] } }
		] satisfies DeltaPayload[]) {
			const { model, stream, asked } = streamOf();
			stream.keyframe(keyframe(1, [device('a')]));
			expect(stream.delta(bad)).toBe('gap');
			expect(stream.delta({ tick: 4, at: 4 })).toBe('ignored');
			expect(asked()).toBe(1);
			expect(stream.keyframe(keyframe(9, [device('b')]))).toBe('applied');
			expect([...model.devices.keys()]).toEqual(['b']);
			expect(stream.delta({ tick: 10, at: 10 })).toBe('applied');
		}
	});

	it('puts a keyframe in parts together, and a part out of order is a gap', () => {
		const { model, stream, asked } = streamOf();
		expect(stream.keyframe(keyframe(3, [device('a')], 0, 2))).toBe('ignored');
		expect(stream.position).toBeNull();
		expect(stream.keyframe(keyframe(3, [device('b')], 1, 2))).toBe('applied');
		expect([stream.position, [...model.devices.keys()]]).toEqual([3, ['a', 'b']]);
		expect(stream.keyframe(keyframe(5, [device('c')], 1, 2))).toBe('gap');
		expect(asked()).toBe(1);
	});

	it('keys devices by any id, prototype names included', () => {
		const { model, stream } = streamOf();
		stream.keyframe(keyframe(1, [device('__proto__'), device('constructor')]));
		stream.delta({ tick: 2, at: 2, devices: { set: [{ id: '__proto__', set: { done: 7 } }], drop: ['constructor'] } });
		expect([...model.devices.entries()]).toEqual([['__proto__', device('__proto__', 7)]]);
	});
});
