import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ThroughputPoint } from '$lib/protocol/swarm';
import {
	createInvite,
	joinDevice,
	ownerWithSwarm,
	processed,
	SimDevice,
	streamDashboard,
	submit,
	type StreamedDashboard
} from '../../../testing/swarm';
import { BROADCAST_MS } from './lifecycle';

/**
 * What the owner's dashboard is told: the facts it shows (throughput, invite use counts) must be true
 * when they change (the alarm's broadcast) and for a dashboard that connects later (a reload), also after
 * the object restarted, because they come from the coordinator's SQLite. Each dashboard here keeps its
 * state with the browser's reducer (streamDashboard).
 */

type Stub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

const primes = (lo: number, hi: number, chunkSize: number) => ({ kind: 'primes', lo, hi, chunkSize });
const total = (points: ThroughputPoint[]) => points.reduce((sum, p) => sum + p.chunks, 0);
const peak = (points: ThroughputPoint[]) => Math.max(...points.map((p) => p.chunks));

/** Runs the alarm (a broadcast) and waits until the dashboard has applied what it sent. */
async function broadcast(stub: Stub, dash: StreamedDashboard) {
	expect(await runDurableObjectAlarm(stub)).toBe(true);
	await processed(dash.socket);
}

/** What a dashboard that connects now holds: what the owner sees after a reload. */
async function reloaded(swarmId: string, cookie: string) {
	const dash = await streamDashboard(swarmId, cookie);
	await dash.ready();
	dash.socket.ws.close(1000);
	return dash.model;
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
		const dash = await streamDashboard(swarmId, owner.cookie);
		await dash.ready();
		expect(total(dash.model.throughput)).toBe(0);
		const { token } = await createInvite(swarmId, owner.cookie);
		await SimDevice.start(swarmId, token, 'worker', 4000);
		const job = await submit(swarmId, owner.cookie, primes(0, 30_000, 1000));
		expect(job.body.chunks).toBe(30);
		await finished(stub, job.body.jobId);

		await broadcast(stub, dash);
		const live = dash.model.throughput;
		expect(total(live)).toBe(30);
		expect(peak(live)).toBeGreaterThan(0);
		// Bounded: two minutes of broadcast-sized buckets, each starting on a bucket boundary.
		expect(live).toHaveLength(60);
		expect(live.every((p) => p.at % BROADCAST_MS === 0)).toBe(true);

		expect(total((await reloaded(swarmId, owner.cookie)).throughput)).toBe(30);
		await evictDurableObject(stub);
		const restarted = (await reloaded(swarmId, owner.cookie)).throughput;
		expect([total(restarted), peak(restarted)]).toEqual([30, peak(live)]);
	});
});

describe('dashboard invites', () => {
	it('carry each invite’s use count when devices join, live, after a reload and after a restart', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie, 5);
		const dash = await streamDashboard(swarmId, owner.cookie);
		await dash.ready();
		expect(dash.model.invites).toEqual([expect.objectContaining({ id: invite.id, uses: 0, maxUses: 5 })]);

		await joinDevice(swarmId, invite.token, 'phone');
		await joinDevice(swarmId, invite.token, 'laptop');
		await broadcast(stub, dash);
		expect(dash.model.invites).toEqual([expect.objectContaining({ id: invite.id, uses: 2 })]);
		// Deltas carry the invite list only when an invite changed, so a quiet swarm does not resend it every 2 s.
		const before = dash.socket.messages.length;
		await broadcast(stub, dash);
		const quiet = dash.socket.messages.slice(before).flatMap((m) => (m.type === 'delta' ? [m.payload] : []));
		expect(quiet.length).toBeGreaterThan(0);
		expect(quiet.every((d) => d.invites === undefined)).toBe(true);

		expect((await reloaded(swarmId, owner.cookie)).invites).toEqual([
			expect.objectContaining({ id: invite.id, uses: 2 })
		]);
		await evictDurableObject(stub);
		expect((await reloaded(swarmId, owner.cookie)).invites).toEqual([
			expect.objectContaining({ id: invite.id, uses: 2 })
		]);
	});
});
