import { evictDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { freshJob } from '../../../testing/job-sources';
import { signedInUser } from '../../../testing/users';
import {
	assigned,
	coordinatorSql,
	createInvite,
	manualDevice,
	ownerWithSwarm,
	processed,
	request,
	SimDevice,
	sleep
} from '../../../testing/swarm';
import { CUSTOM_MAX_CHUNKS, CUSTOM_RESULT_MAX_BYTES } from '$lib/protocol/swarm-jobs';
import type { JobOutput } from './job-control';
import type { RpcResult } from './tokens';
import { QUARANTINE_STRIKES } from './trust-ledger';

type ApiError = { error: { code: string; message: string } };
type Stub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

/** The job module as devices would get it (workerd never runs it: simulated devices compute natively). */
const CODE = 'export const split = (n) => []; export const run = ({ n }) => n * n; export const merge = (r) => r;';
const square = (input: unknown) => (input as { n: number }).n ** 2;
const lie = (input: unknown) => (input as { n: number }).n ** 2 + 1;

function customJob(count: number, k = 2, extra: Record<string, unknown> = {}) {
	const chunks = Array.from({ length: count }, (_, n) => ({ n }));
	return { kind: 'custom', title: 'Squares', input: { count }, chunks, k, code: CODE, ...extra };
}

async function submitCustom(stub: Stub, count: number, k = 2) {
	const result = await stub.submitJob(customJob(count, k));
	if (!result.ok) throw new Error(result.message);
	return result.value.jobId;
}

const logTexts = (stub: Stub) =>
	coordinatorSql(stub, (s) =>
		s
			.exec('SELECT text FROM log ORDER BY seq')
			.toArray()
			.map((r) => String(r.text))
	);

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (ok(value)) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
		await sleep(50);
	}
}

const deviceRow = (stub: Stub, id: string) =>
	coordinatorSql(stub, (s) =>
		s.exec('SELECT votes_won, votes_lost, quarantined, cpu_ms FROM devices WHERE id = ?', id).one()
	);

describe('verified custom jobs (k-replication)', () => {
	it('outvotes a lying device, quarantines it, and keeps the output right', { timeout: 30_000 }, async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const liar = await SimDevice.start(swarmId, token, 'liar', 1000, 0, lie);
		const honest = [
			await SimDevice.start(swarmId, token, 'honest-1', 1000, 0, square),
			await SimDevice.start(swarmId, token, 'honest-2', 1000, 0, square)
		];
		await processed(liar.socket);
		const jobId = await submitCustom(stub, 30);
		const [job] = await until(
			() => stub.jobs(),
			([j]) => j.status === 'done',
			'the job to finish'
		);
		expect(job).toMatchObject({ kind: 'custom', k: 2, total: 30, done: 30 });

		const output = (await stub.jobOutput(jobId)) as RpcResult<JobOutput>;
		if (!output.ok) throw new Error(output.message);
		expect(output.value.results).toEqual(Array.from({ length: 30 }, (_, n) => n * n));
		expect(output.value.input).toEqual({ count: 30 });

		// Every chunk the liar took part in was a disagreement it lost; it never won one.
		const l = await deviceRow(stub, liar.deviceId);
		expect(Number(l.votes_won)).toBe(0);
		expect(Number(l.votes_lost)).toBeGreaterThanOrEqual(QUARANTINE_STRIKES);
		expect(Number(l.quarantined)).toBe(1);
		expect(job.disagreements).toBe(Number(l.votes_lost));
		for (const h of honest) {
			const row = await deviceRow(stub, h.deviceId);
			expect(Number(row.votes_lost)).toBe(0);
			expect(Number(row.cpu_ms)).toBeGreaterThan(0);
		}
		// The votes add up: every chunk had 2 agreeing honest results.
		const won = honest.length && (await Promise.all(honest.map((h) => deviceRow(stub, h.deviceId))));
		expect(won && won.reduce((sum, r) => sum + Number(r.votes_won), 0)).toBe(60);
		// No chunk ever had two replicas on one device.
		const twice = await coordinatorSql(
			stub,
			(s) =>
				s
					.exec(
						'SELECT count(*) AS n FROM (SELECT 1 FROM chunks WHERE device_id IS NOT NULL GROUP BY job_seq, unit, device_id HAVING count(*) > 1)'
					)
					.one().n
		);
		expect(Number(twice)).toBe(0);
		const log = await logTexts(stub);
		expect(log.some((t) => /Chunk [0-9a-f]+\/\d+: 2 different results; sent to 1 more device/.test(t))).toBe(true);
		expect(log.some((t) => t.startsWith('liar was outvoted') && t.includes('quarantined'))).toBe(true);
	});

	it('halves a device’s chunks after its first lost vote', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const a = await manualDevice(swarmId, token, 'a', 1000);
		const b = await manualDevice(swarmId, token, 'b', 1000);
		await processed(b.socket);
		const jobId = await submitCustom(stub, 40);
		// Equal scores: each holds its quota (8), one replica each of the same first chunks.
		const [ca, cb] = [await assigned(a.socket, 8), await assigned(b.socket, 8)];
		const shared = ca[0].chunk;
		expect(cb.map((x) => x.chunk)).toContain(shared);
		const answer = (d: typeof a, chunk: number, value: unknown) =>
			d.socket.send('result', { jobId, chunk, output: { kind: 'custom', value }, cpuMs: 5 });
		answer(a, shared, shared ** 2);
		await a.socket.take('accepted');
		answer(b, shared, -1);
		await b.socket.take('accepted');
		// Both refill to 8 before the vote is decided.
		await assigned(a.socket, 1);
		await assigned(b.socket, 1);
		// The third replica goes to a device that has not computed that chunk: c, which agrees with a.
		const c = await manualDevice(swarmId, token, 'c', 1000);
		const fromC = await assigned(c.socket, 8);
		expect(fromC[0].chunk).toBe(shared);
		answer(c, shared, shared ** 2);
		await c.socket.take('accepted');
		await processed(c.socket);
		expect(await deviceRow(stub, b.deviceId)).toMatchObject({ votes_lost: 1, quarantined: 0 });
		// One strike halves b's quota to 4: it holds 8, answers one and gets nothing back.
		answer(b, cb[1].chunk, cb[1].chunk ** 2);
		await b.socket.take('accepted');
		await processed(b.socket);
		expect(b.socket.received.filter((m) => m.type === 'assign')).toEqual([]);
		// a, trusted, answers one and is refilled.
		answer(a, ca[1].chunk, ca[1].chunk ** 2);
		await a.socket.take('accepted');
		await assigned(a.socket, 1);
	});

	it('carries a disagreement across coordinator evictions and decides it with a third device', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const a = await manualDevice(swarmId, token, 'a', 1000);
		const b = await manualDevice(swarmId, token, 'b', 1000);
		await processed(b.socket);
		const jobId = await submitCustom(stub, 1);
		const [ra] = await assigned(a.socket, 1);
		const [rb] = await assigned(b.socket, 1);
		expect([ra.chunk, rb.chunk]).toEqual([0, 0]);
		// The module is there after an eviction, for a device that holds one of the job's chunks.
		await evictDurableObject(stub);
		a.socket.send('job-code', { jobId });
		expect((await a.socket.take('job-code')).payload).toEqual({ jobId, code: CODE });
		a.socket.send('result', { jobId, chunk: 0, output: { kind: 'custom', value: { sq: 0, note: 'é' } }, cpuMs: 3 });
		await a.socket.take('accepted');
		await evictDurableObject(stub);
		// Same value, other key order: canonical JSON makes it the same digest… but b lies about `sq`.
		b.socket.send('result', { jobId, chunk: 0, output: { kind: 'custom', value: { note: 'é', sq: 7 } }, cpuMs: 3 });
		await b.socket.take('accepted');
		await evictDurableObject(stub);
		expect((await stub.jobs())[0]).toMatchObject({ status: 'running', done: 0, disagreements: 1 });
		const c = await manualDevice(swarmId, token, 'c', 1000);
		const [rc] = await assigned(c.socket, 1);
		await evictDurableObject(stub);
		c.socket.send('result', {
			jobId,
			chunk: rc.chunk,
			output: { kind: 'custom', value: { note: 'é', sq: 0 } },
			cpuMs: 3
		});
		await c.socket.take('accepted');
		await evictDurableObject(stub);
		expect((await stub.jobs())[0]).toMatchObject({ status: 'done', done: 1 });
		const output = (await stub.jobOutput(jobId)) as RpcResult<JobOutput>;
		expect(output.ok && output.value.results).toEqual([{ note: 'é', sq: 0 }]);
		expect(Number((await deviceRow(stub, b.deviceId)).votes_lost)).toBe(1);
		expect(Number((await deviceRow(stub, a.deviceId)).votes_won)).toBe(1);
		// Only the accepted result is kept for a decided chunk.
		const kept = await coordinatorSql(
			stub,
			(s) => s.exec('SELECT count(*) AS n FROM chunks WHERE output IS NOT NULL').one().n
		);
		expect(Number(kept)).toBe(1);
	});

	it('stops and frees devices on cancel, holds chunks back while paused, across an eviction', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const a = await manualDevice(swarmId, token, 'a', 1000);
		const b = await manualDevice(swarmId, token, 'b', 1000);
		await processed(b.socket);
		const jobId = await submitCustom(stub, 40, 1);
		const held = [await assigned(a.socket, 8), await assigned(b.socket, 8)];

		// Paused: results of chunks out still count, but nothing new goes out, even after an eviction.
		expect(await stub.controlJob(jobId, 'pause')).toMatchObject({ ok: true, value: { status: 'paused' } });
		await evictDurableObject(stub);
		a.socket.send('result', { jobId, chunk: held[0][0].chunk, output: { kind: 'custom', value: 1 }, cpuMs: 1 });
		await a.socket.take('accepted');
		await processed(a.socket);
		expect(a.socket.received.filter((m) => m.type === 'assign')).toEqual([]);
		expect((await stub.jobs())[0]).toMatchObject({ status: 'paused', done: 1 });
		expect(await stub.controlJob(jobId, 'resume')).toMatchObject({ ok: true, value: { status: 'running' } });
		held[0].push(...(await assigned(a.socket, 1)));

		// Cancel: each device is told to drop every chunk it holds, a late answer is refused, and the devices
		// are free: a new job fills their whole quota at once.
		expect(await stub.controlJob(jobId, 'cancel')).toMatchObject({ ok: true, value: { status: 'cancelled' } });
		const dropped = async (d: typeof a) =>
			(await d.socket.take('drop')).payload.chunks.map((c) => c.chunk).sort((x, y) => x - y);
		const open = (chunks: { chunk: number }[]) =>
			chunks
				.map((c) => c.chunk)
				.filter((c) => c !== held[0][0].chunk)
				.sort((x, y) => x - y);
		const droppedA: number[] = [];
		while (droppedA.length < 8) droppedA.push(...(await dropped(a)));
		expect(droppedA.sort((x, y) => x - y)).toEqual(open(held[0]));
		const droppedB: number[] = [];
		while (droppedB.length < 8) droppedB.push(...(await dropped(b)));
		expect(droppedB.sort((x, y) => x - y)).toEqual(open(held[1]));
		b.socket.send('result', { jobId, chunk: held[1][0].chunk, output: { kind: 'custom', value: 1 }, cpuMs: 1 });
		expect((await b.socket.take('error')).payload.code).toBe('not-assigned');
		expect((await stub.jobs())[0]).toMatchObject({ status: 'cancelled' });
		expect(await stub.controlJob(jobId, 'resume')).toMatchObject({ ok: false, code: 'job-finished' });
		await evictDurableObject(stub);
		await submitCustom(stub, 40, 1);
		expect((await assigned(a.socket, 8)).length).toBe(8);
		expect((await assigned(b.socket, 8)).length).toBe(8);
	});

	it('refuses bad custom jobs and bad results with clear errors, and never takes a device-sent hash', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const bad = async (spec: unknown) => {
			const result = await stub.submitJob(spec);
			return result.ok ? 'accepted' : result.message;
		};
		expect(await bad(customJob(1, 4))).toMatch(/Replication is 1 to 3/);
		expect(await bad(customJob(1, 0))).toMatch(/Replication is 1 to 3/);
		expect(await bad(customJob(CUSTOM_MAX_CHUNKS + 1))).toMatch(/more than 1000 chunks/);
		expect(await bad(customJob(0))).toMatch(/no chunks/);
		expect(await bad({ ...customJob(1), chunks: [{ s: 'x'.repeat(5000) }] })).toMatch(
			/Each chunk is \d+ bytes; at most 4096/
		);
		expect(await bad({ ...customJob(1), code: 'x'.repeat(300 * 1024) })).toMatch(/over 256 KiB/);
		expect(await bad({ ...customJob(1), input: undefined })).toMatch(/The input must be JSON/);
		const deep = JSON.parse('['.repeat(40) + ']'.repeat(40));
		expect(await bad({ ...customJob(1), input: deep })).toMatch(/deeper than 32/);
		// `__proto__` and `constructor` are plain data in a job's JSON.
		expect(await bad({ ...customJob(1), input: JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') })).toBe(
			'accepted'
		);

		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await manualDevice(swarmId, token, 'd', 1000);
		const jobId = (await stub.jobs())[0].id;
		const [chunk] = await assigned(d.socket, 1);
		d.socket.send('job-code', { jobId: 'ab'.repeat(8) });
		expect((await d.socket.take('error')).payload.code).toBe('no-job');
		const send = (payload: unknown) => d.socket.ws.send(d.socket.wire.encodeClient('result', payload as never, 1));
		send({ jobId, chunk: chunk.chunk, output: { kind: 'custom', value: 1 }, cpuMs: 1, digest: 'f'.repeat(64) });
		expect((await d.socket.take('error')).payload.code).toBe('bad-message');
		send({ jobId, chunk: chunk.chunk, output: { kind: 'custom', value: 'x'.repeat(CUSTOM_RESULT_MAX_BYTES) } });
		expect((await d.socket.take('error')).payload).toMatchObject({
			code: 'bad-message',
			message: expect.stringMatching(/at most 32768/)
		});
		send({ jobId, chunk: chunk.chunk, output: { kind: 'custom', value: deep } });
		expect((await d.socket.take('error')).payload.code).toBe('bad-message');
		// Still held: the real answer is taken.
		d.socket.send('result', { jobId, chunk: chunk.chunk, output: { kind: 'custom', value: 1 }, cpuMs: 1 });
		await d.socket.take('accepted');
	});
});

describe('custom jobs through the owner’s REST routes', { timeout: 30_000 }, () => {
	it('compiles the source with the real transpiler, stores its module, and controls and downloads the job', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const stranger = await signedInUser(env);
		const post = (path: string, cookie: string, body: unknown) =>
			request(`/api/swarm/${swarmId}${path}`, { method: 'POST', cookie, body: JSON.stringify(body) });
		const spec = { kind: 'custom', title: 'Doubles', source: freshJob(), input: { n: 3 }, chunks: [0, 1, 2], k: 1 };

		const broken = await post('/jobs', owner.cookie, { ...spec, source: freshJob('return chunk *;') });
		expect(broken.status).toBe(400);
		expect(((await broken.json()) as ApiError).error).toEqual({
			code: 'compile-error',
			message: 'The job does not compile: line 6, column 16: Unexpected ";"'
		});
		const tooMany = await post('/jobs', owner.cookie, { ...spec, chunks: Array.from({ length: 1001 }, (_, i) => i) });
		expect(((await tooMany.json()) as ApiError).error.message).toMatch(/more than 1000 chunks/);
		expect((await post('/jobs', stranger.cookie, spec)).status).toBe(404);
		expect(await stub.jobs()).toEqual([]);

		const created = await post('/jobs', owner.cookie, spec);
		expect(created.status).toBe(201);
		const { jobId } = (await created.json()) as { jobId: string };
		const stored = await coordinatorSql(stub, (s) => String(s.exec('SELECT code FROM jobs').one().code));
		expect(stored).toMatch(/function run\(chunk\)/);
		expect(stored).not.toMatch(/: number/);

		expect((await post(`/jobs/${jobId}`, owner.cookie, { action: 'pause' })).status).toBe(200);
		expect((await stub.jobs())[0].status).toBe('paused');
		expect((await post(`/jobs/${jobId}`, stranger.cookie, { action: 'cancel' })).status).toBe(404);
		expect((await post(`/jobs/${jobId}`, owner.cookie, { action: 'explode' })).status).toBe(400);
		expect((await post(`/jobs/__proto__`, owner.cookie, { action: 'cancel' })).status).toBe(404);
		expect((await post(`/jobs/${jobId}`, owner.cookie, { action: 'resume' })).status).toBe(200);

		const { token } = await createInvite(swarmId, owner.cookie);
		await SimDevice.start(swarmId, token, 'doubler', 1000, 0, (chunk) => (chunk as number) * 2);
		await until(
			() => stub.jobs(),
			([j]) => j.status === 'done',
			'the job to finish'
		);
		const download = await request(`/api/swarm/${swarmId}/jobs/${jobId}`, { cookie: owner.cookie });
		expect(download.status).toBe(200);
		expect(await download.json()).toMatchObject({
			jobId,
			status: 'done',
			input: { n: 3 },
			results: [0, 2, 4],
			total: 3
		});
		expect((await request(`/api/swarm/${swarmId}/jobs/${jobId}`, { cookie: stranger.cookie })).status).toBe(404);
	});
});
