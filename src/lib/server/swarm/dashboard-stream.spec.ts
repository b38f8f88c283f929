import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
	assigned,
	comparable,
	coordinatorSql,
	createInvite,
	joinDevice,
	manualDevice,
	ownerWithSwarm,
	processed,
	SimDevice,
	sleep,
	streamDashboard,
	submit,
	type StreamedDashboard
} from '../../../testing/swarm';
import { KEYFRAME_EVERY } from './lifecycle';

/**
 * The dashboard stream end to end: real dashboard sockets through the whole worker, every frame applied by
 * the browser's own reducer (DashboardStream). Whatever happens in the swarm, a dashboard that has applied
 * every delta since its keyframe must hold exactly what a dashboard that connects at that tick is given.
 */

type Stub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

/** Runs the alarm (a broadcast) and waits until the dashboard has applied what it sent. */
async function broadcast(stub: Stub, dash: StreamedDashboard) {
	expect(await runDurableObjectAlarm(stub)).toBe(true);
	await processed(dash.socket);
}

/**
 * Connects a second dashboard, whose keyframe is the state at a new tick (the first gets the delta to it),
 * and expects both to hold the same: the first by deltas, the second whole.
 */
async function expectSameAsFresh(dash: StreamedDashboard, swarmId: string, cookie: string) {
	const fresh = await streamDashboard(swarmId, cookie);
	await fresh.ready();
	// The delta to the fresh one's tick was sent before its keyframe.
	await processed(dash.socket);
	expect(dash.stream.position).toBe(fresh.stream.position);
	expect(comparable(dash.model)).toEqual(comparable(fresh.model));
	fresh.socket.ws.close(1000);
}

const CODE = 'export const split = (n) => []; export const run = ({ n }) => n * n; export const merge = (r) => r;';
const square = (input: unknown) => (input as { n: number }).n ** 2;
const lie = (input: unknown) => (input as { n: number }).n ** 2 + 1;

async function until(what: string, ok: () => Promise<boolean>) {
	for (let i = 0; !(await ok()); i++) {
		if (i > 300) throw new Error(`timed out waiting for ${what}`);
		await sleep(50);
	}
}

const deviceNamed = (dash: StreamedDashboard, name: string) =>
	[...dash.model.devices.values()].find((d) => d.name === name);

describe('the dashboard stream', () => {
	it(
		'keeps a dashboard that applies every delta equal to a fresh keyframe through joins, work, quarantine, cancel, leave, disconnect and cleanup',
		{
			timeout: 30_000
		},
		async () => {
			const { owner, swarmId, stub } = await ownerWithSwarm();
			const dash = await streamDashboard(swarmId, owner.cookie);
			await dash.ready();
			const invite = await createInvite(swarmId, owner.cookie);
			const idle = await joinDevice(swarmId, invite.token, 'idle');
			await broadcast(stub, dash);
			expect(deviceNamed(dash, 'idle')).toMatchObject({ status: 'offline', inviteId: invite.id });
			expect(dash.model.invites).toEqual([expect.objectContaining({ id: invite.id, uses: 1 })]);
			await expectSameAsFresh(dash, swarmId, owner.cookie);

			// A verified job with a liar: progress, votes, quarantine.
			const liar = await SimDevice.start(swarmId, invite.token, 'liar', 1000, 0, lie);
			const honest = [
				await SimDevice.start(swarmId, invite.token, 'honest-1', 1000, 0, square),
				await SimDevice.start(swarmId, invite.token, 'honest-2', 1000, 0, square)
			];
			await processed(liar.socket);
			const chunks = Array.from({ length: 30 }, (_, n) => ({ n }));
			const job = await stub.submitJob({
				kind: 'custom',
				title: 'Squares',
				input: { count: 30 },
				chunks,
				k: 2,
				code: CODE
			});
			if (!job.ok) throw new Error(job.message);
			await broadcast(stub, dash);
			await expectSameAsFresh(dash, swarmId, owner.cookie);
			await until('the job to finish', async () => (await stub.jobs())[0]?.status === 'done');
			await broadcast(stub, dash);
			expect(dash.model.jobs[0]).toMatchObject({ id: job.value.jobId, status: 'done', done: 30 });
			expect(deviceNamed(dash, 'liar')).toMatchObject({ quarantined: true, votesWon: 0 });
			expect(deviceNamed(dash, 'honest-1')!.votesWon).toBeGreaterThan(0);
			await expectSameAsFresh(dash, swarmId, owner.cookie);

			// Chunks that leave a device when their job is cancelled lower its in-flight count.
			for (const device of [liar, ...honest]) device.stop();
			const holder = await manualDevice(swarmId, invite.token, 'holder', 1000);
			const primes = await submit(swarmId, owner.cookie, { kind: 'primes', lo: 0, hi: 100_000, chunkSize: 1000 });
			const held = await assigned(holder.socket, 1);
			await broadcast(stub, dash);
			expect(deviceNamed(dash, 'holder')!.inFlight).toBeGreaterThanOrEqual(held.length);
			expect((await stub.controlJob(primes.body.jobId, 'cancel')).ok).toBe(true);
			await broadcast(stub, dash);
			expect(deviceNamed(dash, 'holder')!.inFlight).toBe(0);
			expect(dash.model.jobs[0]).toMatchObject({ id: primes.body.jobId, status: 'cancelled' });
			await expectSameAsFresh(dash, swarmId, owner.cookie);

			// Leave, disconnect, then cleanup deletes the device that left: the delta names it.
			expect(await stub.leave(idle.deviceId)).toBe(true);
			expect(await stub.revokeDevice(holder.deviceId)).toBe(true);
			await broadcast(stub, dash);
			expect(dash.model.devices.get(idle.deviceId)!.status).toBe('left');
			expect(dash.model.devices.get(holder.deviceId)!.status).toBe('revoked');
			await coordinatorSql(stub, (s) => s.exec('UPDATE devices SET status_since = 0 WHERE id = ?', idle.deviceId));
			await broadcast(stub, dash);
			expect(dash.model.devices.has(idle.deviceId)).toBe(false);
			expect(dash.model.log.map((l) => l.text)).toContain('Removed 1 device(s) offline for over 24 h.');
			await expectSameAsFresh(dash, swarmId, owner.cookie);

			// All of it came as deltas after the one keyframe the socket opened with.
			expect(dash.events.filter((e) => e.type === 'keyframe')).toHaveLength(1);
			expect(dash.events.filter((e) => e.type === 'delta').every((e) => e.outcome === 'applied')).toBe(true);
			dash.socket.ws.close(1000);
		}
	);

	it('sees a lost delta as a gap: asks for a keyframe, ignores deltas until it comes, and ends up equal', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const dash = await streamDashboard(swarmId, owner.cookie);
		await dash.ready();
		const invite = await createInvite(swarmId, owner.cookie);
		// The delta that brings the device is lost, whichever broadcast carries it.
		dash.lose((delta) => (delta.devices?.add?.length ?? 0) > 0);
		await joinDevice(swarmId, invite.token, 'missed');
		await broadcast(stub, dash);
		await joinDevice(swarmId, invite.token, 'next');
		await broadcast(stub, dash);
		// The refresh went out before the marker, so the keyframe answering it has arrived too.
		await processed(dash.socket);
		expect(dash.refreshes).toHaveLength(1);
		const events = dash.events.slice(dash.events.findIndex((e) => e.outcome === 'dropped'));
		const answer = events.findIndex((e) => e.type === 'keyframe');
		expect(events[1]).toMatchObject({ type: 'delta', outcome: 'gap' });
		expect(events.slice(2, answer).every((e) => e.type === 'delta' && e.outcome === 'ignored')).toBe(true);
		expect(events[answer]).toMatchObject({ outcome: 'applied', seq: dash.refreshes[0] });
		expect([...dash.model.devices.values()].map((d) => d.name).sort()).toEqual(['missed', 'next']);
		await expectSameAsFresh(dash, swarmId, owner.cookie);
		dash.socket.ws.close(1000);
	});

	it(
		`broadcasts a keyframe every ${KEYFRAME_EVERY} broadcasts and after the object restarted, deltas between`,
		{
			timeout: 30_000
		},
		async () => {
			const { owner, swarmId, stub } = await ownerWithSwarm();
			const dash = await streamDashboard(swarmId, owner.cookie);
			await dash.ready();
			const broadcasts = () => dash.events.filter((e) => e.seq === 0).slice(1);
			while (!broadcasts().some((e) => e.type === 'keyframe')) {
				if (broadcasts().length > KEYFRAME_EVERY) throw new Error('no periodic keyframe');
				await broadcast(stub, dash);
			}
			const ticks = broadcasts();
			const keyframe = ticks.findIndex((e) => e.type === 'keyframe');
			// Consecutive ticks from the socket's keyframe on: deltas, then the keyframe.
			expect(ticks.map((e) => e.tick)).toEqual(ticks.map((_, i) => dash.events[0].tick + 1 + i));
			expect(ticks[keyframe]).toMatchObject({ tick: dash.events[0].tick + KEYFRAME_EVERY, outcome: 'applied' });
			expect(ticks.slice(0, keyframe).every((e) => e.type === 'delta' && e.outcome === 'applied')).toBe(true);

			// The baseline lived in memory: after a restart the dashboard is sent a keyframe, then deltas again.
			const invite = await createInvite(swarmId, owner.cookie);
			await joinDevice(swarmId, invite.token, 'after-restart');
			await evictDurableObject(stub);
			const restarted = dash.events.length;
			await broadcast(stub, dash);
			await broadcast(stub, dash);
			const after = dash.events.slice(restarted);
			expect(after.filter((e) => e.type === 'keyframe')).toHaveLength(1);
			expect(after.every((e) => e.outcome === 'applied')).toBe(true);
			expect(after.at(-1)!.type).toBe('delta');
			expect(deviceNamed(dash, 'after-restart')).toBeDefined();
			await expectSameAsFresh(dash, swarmId, owner.cookie);
			dash.socket.ws.close(1000);
		}
	);
});
