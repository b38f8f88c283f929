import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '$lib/protocol/close-codes';
import {
	assigned,
	connectDevice,
	coordinatorSql,
	createInvite,
	manualDevice,
	ownerWithSwarm,
	processed,
	submit
} from '../../../testing/swarm';
import { MAX_ATTEMPTS } from './lifecycle';
import { MAX_IN_FLIGHT } from './scheduler';
import { MAX_RUNNING_JOBS } from './swarm-coordinator';

/**
 * Chunk bookkeeping under failure: a failing job stays failed, in-flight counts stay true, reconnects are
 * not retries, and the running-job cap counts every running job.
 */

type Stub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

const primes = (lo: number, hi: number, chunkSize: number) => ({ kind: 'primes', lo, hi, chunkSize });

const chunkStatuses = (stub: Stub) =>
	coordinatorSql(stub, (s) =>
		s
			.exec('SELECT status FROM chunks ORDER BY job_seq, idx')
			.toArray()
			.map((r) => String(r.status))
	);

describe('a failing job', () => {
	it('stays failed when several of its chunks time out in one alarm: none goes back to pending, one log line', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await manualDevice(swarmId, token, 'slow', 1000);
		const job = await submit(swarmId, owner.cookie, primes(0, 4000, 1000));
		await assigned(d.socket, 4);
		// All four are overdue; chunk 0 (earliest) and 2 are on their last attempt, 1 and 3 could be retried.
		await coordinatorSql(stub, (s) => {
			const past = Date.now() - 10_000;
			for (const [idx, attempts] of [
				[0, MAX_ATTEMPTS],
				[1, 1],
				[2, MAX_ATTEMPTS],
				[3, 1]
			]) {
				s.exec('UPDATE chunks SET deadline = ?, attempts = ? WHERE idx = ?', past + idx * 1000, attempts, idx);
			}
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);

		const view = (await stub.jobs()).find((j) => j.id === job.body.jobId)!;
		expect(view.status).toBe('failed');
		expect(view.error).toMatch(/Chunk 0 failed 5 times/);
		expect(await chunkStatuses(stub)).toEqual(['failed', 'failed', 'failed', 'failed']);
		const failures = await coordinatorSql(
			stub,
			(s) => s.exec("SELECT count(*) AS n FROM log WHERE text LIKE 'Job % failed:%'").one().n
		);
		expect(failures).toBe(1);
		// Nothing of the failed job goes out again, even after more scheduling rounds.
		await runDurableObjectAlarm(stub);
		await processed(d.socket);
		expect(d.socket.received.filter((m) => m.type === 'assign')).toHaveLength(0);
	});

	it('frees exactly one slot of the device it failed on: the quota holds and no drop is sent for that chunk', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		// Alone, the device is the fastest: its quota is MAX_IN_FLIGHT.
		const d = await manualDevice(swarmId, token, 'flaky', 1000);
		const doomed = await submit(swarmId, owner.cookie, primes(0, 1000, 1000));
		const [chunk] = await assigned(d.socket, 1);
		const other = await submit(swarmId, owner.cookie, primes(0, 100_000, 1000));
		await assigned(d.socket, MAX_IN_FLIGHT - 1);

		for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
			d.socket.send('chunk-failed', { jobId: chunk.jobId, chunk: chunk.chunk, error: 'out of memory' });
			// Retries go back to the oldest job first, so the same chunk returns to the same device.
			if (attempt < MAX_ATTEMPTS) expect((await assigned(d.socket, 1)).map((c) => c.jobId)).toEqual([chunk.jobId]);
		}
		// The job failed; its one freed slot goes to the other job, one chunk and no more.
		const refill = await assigned(d.socket, 1);
		expect(refill.map((c) => c.jobId)).toEqual([other.body.jobId]);
		await processed(d.socket);
		expect(d.socket.received.filter((m) => m.type === 'assign')).toHaveLength(0);
		expect(d.socket.received.filter((m) => m.type === 'drop')).toHaveLength(0);
		const held = await coordinatorSql(
			stub,
			(s) => s.exec("SELECT count(*) AS n FROM chunks WHERE status = 'assigned' AND device_id = ?", d.deviceId).one().n
		);
		expect(held).toBe(MAX_IN_FLIGHT);
		expect((await stub.jobs()).find((j) => j.id === doomed.body.jobId)?.status).toBe('failed');
	});
});

describe('reconnecting', () => {
	it('re-sends held chunks with their deadline and without using up attempts', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await manualDevice(swarmId, token, 'roamer', 1000);
		const job = await submit(swarmId, owner.cookie, primes(0, 1000, 1000));
		const [held] = await assigned(d.socket, 1);
		const row = () =>
			coordinatorSql(stub, (s) => {
				const r = s.exec('SELECT attempts, deadline FROM chunks').one();
				return { attempts: Number(r.attempts), deadline: Number(r.deadline) };
			});
		const before = await row();
		expect(before).toEqual({ attempts: 1, deadline: held.deadline });

		let socket = d.socket;
		for (let i = 0; i < MAX_ATTEMPTS + 1; i++) {
			const next = await connectDevice(swarmId, d.cookie);
			expect((await socket.closed).code).toBe(CloseCode.replaced);
			await next.take('welcome');
			expect(await assigned(next, 1)).toEqual([held]);
			socket = next;
		}
		expect(await row()).toEqual(before);

		// A real timeout afterwards is the chunk's second attempt, not a reason to fail the job.
		await coordinatorSql(stub, (s) => s.exec('UPDATE chunks SET deadline = ?', Date.now() - 1));
		await runDurableObjectAlarm(stub);
		expect((await stub.jobs()).find((j) => j.id === job.body.jobId)).toMatchObject({ status: 'running', retries: 1 });
		expect((await row()).attempts).toBe(2);
	});
});

describe('running-job cap', () => {
	it('counts every running job, not only the newest ones the dashboard shows', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		for (let i = 0; i < MAX_RUNNING_JOBS; i++) {
			expect((await submit(swarmId, owner.cookie, primes(0, 1000, 1000))).status).toBe(201);
		}
		// Twenty newer finished jobs push the running ones out of the dashboard's list.
		await coordinatorSql(stub, (s) => {
			for (let i = 0; i < 20; i++) {
				s.exec(
					"INSERT INTO jobs (id, kind, spec, status, total, created_at) VALUES (?, 'primes', ?, 'done', 1, ?)",
					`finished${i}`,
					JSON.stringify(primes(0, 1000, 1000)),
					Date.now()
				);
			}
		});
		const refused = await submit(swarmId, owner.cookie, primes(0, 1000, 1000));
		expect(refused.status).toBe(409);
		expect(refused.body.error).toMatchObject({
			code: 'too-many-jobs',
			message: expect.stringMatching(new RegExp(`At most ${MAX_RUNNING_JOBS} jobs`))
		});
	});
});
