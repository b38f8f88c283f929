import { describe, expect, it } from 'vitest';
import { expectContractRoundTrips } from '../../testing/contract';
import { OFFLINE_AFTER_MS, SWEEP_MS } from '$lib/server/swarm/lifecycle';
import { PING_INTERVAL_MS } from './heartbeat';
import { CLIENT_ROLE, sentBy, swarmChannel } from './swarm-channel';
import { DEVICE_COLUMNS, INVITE_COLUMNS, JOB_COLUMNS, LOG_COLUMNS } from './swarm-dashboard';
import { toRow } from './swarm-rows';

const jobId = '0123456789abcdef';
const tileTask = {
	kind: 'mandelbrot' as const,
	x: 64,
	y: 0,
	w: 64,
	h: 64,
	width: 512,
	height: 384,
	centerX: -0.75,
	centerY: 0,
	scale: 3 / 512,
	maxIter: 500
};
const device = {
	id: 'ab'.repeat(16),
	inviteId: '12'.repeat(8),
	name: 'E2E phone',
	status: 'online' as const,
	score: 2500,
	inFlight: 2,
	done: 40,
	failed: 1,
	cpuMs: 81_000,
	votesWon: 12,
	votesLost: 1,
	quarantined: false,
	paused: false,
	slots: 2,
	cores: 8,
	memoryGb: 8,
	gpu: null,
	userAgent: 'Mozilla/5.0 (Linux; Android 14)',
	joinedAt: 1_700_000_000_000,
	lastSeenAt: 1_700_000_060_000
};

const left = { ...device, id: 'ef'.repeat(16), status: 'left' as const, score: null };
const doneJob = {
	id: jobId,
	kind: 'primes' as const,
	status: 'done' as const,
	spec: { kind: 'primes' as const, lo: 0, hi: 1_000_000, chunkSize: 100_000 },
	k: 1,
	total: 10,
	done: 10,
	disagreements: 0,
	retries: 1,
	createdAt: 1_700_000_000_000,
	finishedAt: 1_700_000_030_000,
	answer: 78_498,
	error: null
};
const pausedJob = {
	id: 'fe'.repeat(8),
	kind: 'custom' as const,
	status: 'paused' as const,
	spec: { kind: 'custom' as const, title: 'Monte Carlo π', k: 2, chunks: 40, timeLimitMs: 10_000 },
	k: 2,
	total: 40,
	done: 12,
	disagreements: 1,
	retries: 0,
	createdAt: 1_700_000_000_000,
	finishedAt: null,
	answer: null,
	error: null
};
const line = { seq: 1, at: 1_700_000_000_000, level: 'info' as const, text: 'E2E phone joined (8 cores).' };
const invite = { id: '0011223344556677', createdAt: 1, expiresAt: 2, maxUses: 5, uses: 1, revokedAt: null };
const column = (name: (typeof DEVICE_COLUMNS)[number]) => DEVICE_COLUMNS.indexOf(name);

describe('swarm channel contract', () => {
	it('round-trips every message kind in both directions through the codec and the schema', async () => {
		await expectContractRoundTrips(swarmChannel, {
			client: {
				benchmark: { score: 2500.5 },
				result: { jobId, chunk: 3, output: { kind: 'primes', count: 168 }, cpuMs: 420 },
				'chunk-failed': { jobId, chunk: 3, error: 'out of memory' },
				'job-code': { jobId },
				lending: { paused: false, slots: 2 },
				'job-image': { jobId },
				refresh: {}
			},
			server: {
				welcome: { deviceId: device.id, name: device.name, swarmName: 'Lab', score: null, needsBenchmark: true },
				assign: {
					chunks: [
						{ jobId, chunk: 0, task: { kind: 'primes', lo: 0, hi: 100_000 }, deadline: 1_700_000_060_000 },
						{ jobId, chunk: 1, task: tileTask, deadline: 1_700_000_060_000 },
						{
							jobId,
							chunk: 2,
							task: { kind: 'custom', input: { seed: 7, n: [1, 2] }, timeLimitMs: 10_000 },
							deadline: 1_700_000_060_000
						}
					]
				},
				'job-code': { jobId, code: 'export function run(n) { return n * 2; }' },
				drop: { chunks: [{ jobId, chunk: 1 }] },
				accepted: { jobId, chunk: 0, done: 41 },
				keyframe: {
					tick: 7,
					part: 0,
					parts: 1,
					at: 1_700_000_062_000,
					swarm: { id: 'cd'.repeat(16), name: 'Lab' },
					devices: [device, left].map((d) => toRow(d, DEVICE_COLUMNS)),
					jobs: [doneJob, pausedJob].map((j) => toRow(j, JOB_COLUMNS)),
					log: [toRow(line, LOG_COLUMNS)],
					throughput: { from: 1_700_000_058_000, bucketMs: 2000, chunks: [4, 0] },
					invites: [toRow(invite, INVITE_COLUMNS)]
				},
				delta: {
					tick: 8,
					at: 1_700_000_064_000,
					devices: {
						add: [toRow({ ...device, id: '01'.repeat(16) }, DEVICE_COLUMNS)],
						set: [[device.id, column('done'), 41, column('lastSeenAt'), 1_700_000_063_000]],
						drop: [left.id]
					},
					jobs: { set: [[pausedJob.id, JOB_COLUMNS.indexOf('done'), 13]], order: [pausedJob.id, doneJob.id] },
					log: [toRow({ ...line, seq: 2 }, LOG_COLUMNS)],
					throughput: { from: 1_700_000_060_000, bucketMs: 2000, chunks: [0, 1] },
					invites: [toRow({ ...invite, uses: 2 }, INVITE_COLUMNS)]
				},
				tile: { jobId, x: 64, y: 0, w: 64, h: 64, pixels: 'AAEC' }
			}
		});
	});

	it('carries records as column tuples and hands the dashboard the records themselves', () => {
		const keyframe = swarmChannel.server.keyframe.schema.parse({
			tick: 1,
			part: 0,
			parts: 1,
			at: 1,
			swarm: { id: 'cd'.repeat(16), name: 'Lab' },
			devices: [toRow(device, DEVICE_COLUMNS)],
			jobs: [toRow(pausedJob, JOB_COLUMNS)],
			log: [toRow(line, LOG_COLUMNS)],
			throughput: { from: 4000, bucketMs: 2000, chunks: [3, 5] },
			invites: [toRow(invite, INVITE_COLUMNS)]
		});
		expect(keyframe).toMatchObject({ devices: [device], jobs: [pausedJob], log: [line], invites: [invite] });
		expect(keyframe.throughput).toEqual([
			{ at: 4000, chunks: 3 },
			{ at: 6000, chunks: 5 }
		]);
		const delta = swarmChannel.server.delta.schema.parse({
			tick: 2,
			at: 2,
			devices: { set: [[device.id, column('done'), 41, column('quarantined'), true]] }
		});
		expect(delta.devices?.set).toEqual([{ id: device.id, set: { done: 41, quarantined: true } }]);
	});

	it('refuses rows and changes that do not fit their columns', () => {
		const parse = (devices: unknown) => swarmChannel.server.delta.schema.safeParse({ tick: 2, at: 2, devices });
		const row = toRow(device, DEVICE_COLUMNS);
		const refused = [
			{ add: [row.slice(1)] }, // a column short
			{ add: [[...row, 'extra']] },
			{ add: [toRow({ ...device, status: 'flying' }, DEVICE_COLUMNS)] },
			{ set: [[device.id]] }, // nothing changed
			{ set: [[device.id, column('done')]] }, // a column without its value
			{ set: [[device.id, 0, 'other-id']] }, // the id is not a column to change
			{ set: [[device.id, DEVICE_COLUMNS.length, 1]] },
			{ set: [[device.id, '6', 1]] },
			{ set: [[device.id, 1.5, 1]] },
			{ set: [[device.id, column('done'), 1, column('done'), 2]] },
			{ set: [[device.id, column('done'), -1]] },
			{ set: [[device.id, column('quarantined'), 'yes']] },
			{ set: [[42, column('done'), 1]] },
			{ drop: [7] }
		];
		for (const devices of refused) expect(parse(devices).success, JSON.stringify(devices)).toBe(false);
		expect(parse({ set: [[device.id, column('done'), 1]] }).success).toBe(true);
		const keyframe = { tick: 1, part: 1, parts: 1, at: 1, swarm: { id: 'x', name: 'x' }, devices: [], jobs: [] };
		const more = { ...keyframe, log: [], throughput: { from: 0, bucketMs: 2000, chunks: [] }, invites: [] };
		expect(swarmChannel.server.keyframe.schema.safeParse(more).success).toBe(false);
		expect(swarmChannel.server.keyframe.schema.safeParse({ ...more, parts: 2 }).success).toBe(true);
	});

	it('gives every client kind a role, and tells device kinds from dashboard kinds', () => {
		expect(Object.keys(CLIENT_ROLE).sort()).toEqual(Object.keys(swarmChannel.client).sort());
		expect(
			sentBy({ type: 'result', seq: 1, payload: { jobId, chunk: 0, output: { kind: 'primes', count: 1 } } }, 'device')
		).toBe(true);
		expect(sentBy({ type: 'refresh', seq: 1, payload: {} }, 'device')).toBe(false);
		expect(sentBy({ type: 'refresh', seq: 1, payload: {} }, 'dashboard')).toBe(true);
	});

	it('keeps the browser heartbeat inside the coordinator’s liveness window', () => {
		// Stale means no answered ping for OFFLINE_AFTER_MS: one lost ping must never get a live device there.
		expect(2 * PING_INTERVAL_MS).toBeLessThan(OFFLINE_AFTER_MS);
		// Offline detection lands within a minute and a quarter (the alarm sweeps every SWEEP_MS).
		expect(OFFLINE_AFTER_MS + SWEEP_MS).toBeLessThanOrEqual(75_000);
	});
});
