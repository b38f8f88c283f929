import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { SnapshotPayload } from '$lib/protocol/swarm-channel';
import {
	connectDashboard,
	createInvite,
	joinDevice,
	ownerWithSwarm,
	processed,
	SimDevice,
	submit
} from '../../../testing/swarm';
import { BROADCAST_MS } from './lifecycle';

/**
 * What the owner's dashboard is told: the facts in its snapshots (throughput, invite use counts) must be
 * true when they change (the alarm's broadcast) and for a dashboard that connects later (a reload), also
 * after the object restarted, because they come from the coordinator's SQLite.
 */

type Snapshot = SnapshotPayload;
type Dashboard = Awaited<ReturnType<typeof connectDashboard>>;
type Stub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

const primes = (lo: number, hi: number, chunkSize: number) => ({ kind: 'primes', lo, hi, chunkSize });
const total = (s: Snapshot) => s.throughput.reduce((sum, p) => sum + p.chunks, 0);
const peak = (s: Snapshot) => Math.max(...s.throughput.map((p) => p.chunks));

/** Runs the alarm (a broadcast), then answers every snapshot that arrived since the last call, oldest first. */
async function broadcast(stub: Stub, dash: Dashboard): Promise<Snapshot[]> {
	expect(await runDurableObjectAlarm(stub)).toBe(true);
	await processed(dash);
	return dash.received.splice(0).flatMap((m) => (m.type === 'snapshot' ? [m.payload] : []));
}

/** The full snapshot a dashboard gets when it connects: what the owner sees after a reload. */
async function firstSnapshot(swarmId: string, cookie: string): Promise<Snapshot> {
	const dash = await connectDashboard(swarmId, cookie);
	const snapshot = (await dash.take('snapshot')).payload;
	dash.ws.close(1000);
	return snapshot;
}

async function finished(stub: Stub, jobId: string) {
	for (let i = 0; i < 200; i++) {
		if ((await stub.jobs()).find((j) => j.id === jobId)?.status === 'done') return;
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`job ${jobId} did not finish`);
}

describe('dashboard throughput', () => {
	it('counts every finished chunk in its bucket, live, after a reload and after a restart', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const dash = await connectDashboard(swarmId, owner.cookie);
		const empty = (await dash.take('snapshot')).payload;
		expect(total(empty)).toBe(0);
		const { token } = await createInvite(swarmId, owner.cookie);
		await SimDevice.start(swarmId, token, 'worker', 4000);
		const job = await submit(swarmId, owner.cookie, primes(0, 30_000, 1000));
		expect(job.body.chunks).toBe(30);
		await finished(stub, job.body.jobId);

		const live = (await broadcast(stub, dash)).at(-1)!;
		expect(total(live)).toBe(30);
		expect(peak(live)).toBeGreaterThan(0);
		// Bounded: two minutes of broadcast-sized buckets, each starting on a bucket boundary.
		expect(live.throughput).toHaveLength(60);
		expect(live.throughput.every((p) => p.at % BROADCAST_MS === 0)).toBe(true);

		expect(total(await firstSnapshot(swarmId, owner.cookie))).toBe(30);
		await evictDurableObject(stub);
		const restarted = await firstSnapshot(swarmId, owner.cookie);
		expect([total(restarted), peak(restarted)]).toEqual([30, peak(live)]);
	});
});

describe('dashboard invites', () => {
	it('carry each invite’s use count when devices join, live, after a reload and after a restart', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie, 5);
		const dash = await connectDashboard(swarmId, owner.cookie);
		const first = (await dash.take('snapshot')).payload;
		expect(first.invites).toEqual([expect.objectContaining({ id: invite.id, uses: 0, maxUses: 5 })]);
		// The first broadcast is a full one; the ones after it are deltas.
		await broadcast(stub, dash);

		await joinDevice(swarmId, invite.token, 'phone');
		await joinDevice(swarmId, invite.token, 'laptop');
		// The newest frame that carries invites (the object's own alarm may also have broadcast meanwhile).
		const afterJoins = (await broadcast(stub, dash)).findLast((s) => s.invites !== undefined);
		expect(afterJoins?.invites).toEqual([expect.objectContaining({ id: invite.id, uses: 2 })]);
		// Deltas carry the invite list only when an invite changed, so a quiet swarm does not resend it every 2 s.
		const quiet = await broadcast(stub, dash);
		expect(quiet.length).toBeGreaterThan(0);
		expect(quiet.filter((s) => !s.full).every((s) => s.invites === undefined)).toBe(true);

		expect((await firstSnapshot(swarmId, owner.cookie)).invites).toEqual([
			expect.objectContaining({ id: invite.id, uses: 2 })
		]);
		await evictDurableObject(stub);
		expect((await firstSnapshot(swarmId, owner.cookie)).invites).toEqual([
			expect.objectContaining({ id: invite.id, uses: 2 })
		]);
	});
});
