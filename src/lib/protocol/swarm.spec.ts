import { describe, expect, it } from 'vitest';
import { expectContractRoundTrips } from '../../testing/contract';
import { OFFLINE_AFTER_MS, SWEEP_MS } from '$lib/server/swarm/lifecycle';
import { PING_INTERVAL_MS } from './heartbeat';
import { CLIENT_ROLE, sentBy, swarmChannel } from './swarm-channel';

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
				snapshot: {
					full: true,
					at: 1_700_000_062_000,
					swarm: { id: 'cd'.repeat(16), name: 'Lab' },
					devices: [device, { ...device, id: 'ef'.repeat(16), status: 'left', score: null }],
					jobs: [
						{
							id: jobId,
							kind: 'primes',
							status: 'done',
							spec: { kind: 'primes', lo: 0, hi: 1_000_000, chunkSize: 100_000 },
							k: 1,
							total: 10,
							done: 10,
							disagreements: 0,
							retries: 1,
							createdAt: 1_700_000_000_000,
							finishedAt: 1_700_000_030_000,
							answer: 78_498,
							error: null
						},
						{
							id: 'fe'.repeat(8),
							kind: 'custom',
							status: 'paused',
							spec: { kind: 'custom', title: 'Monte Carlo π', k: 2, chunks: 40, timeLimitMs: 10_000 },
							k: 2,
							total: 40,
							done: 12,
							disagreements: 1,
							retries: 0,
							createdAt: 1_700_000_000_000,
							finishedAt: null,
							answer: null,
							error: null
						}
					],
					log: [{ seq: 1, at: 1_700_000_000_000, level: 'info', text: 'E2E phone joined (8 cores).' }],
					throughput: [{ at: 1_700_000_060_000, chunks: 4 }],
					invites: [{ id: '0011223344556677', createdAt: 1, expiresAt: 2, maxUses: 5, uses: 1, revokedAt: null }]
				},
				tile: { jobId, x: 64, y: 0, w: 64, h: 64, pixels: 'AAEC' }
			}
		});
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
