import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
	connectDashboard,
	connectDevice,
	coordinatorSql,
	createInvite,
	joinDevice,
	openSocket,
	ownerWithSwarm,
	request
} from '../../../testing/swarm';
import { BENCHMARK_LIMIT, FRAME_LIMIT } from './device-limits';
import { jsonBody } from './http';
import { CLEANUP_AFTER_MS } from './lifecycle';
import { MAX_DEVICES } from './membership';
import type { SwarmCoordinator } from './swarm-coordinator';

/** Bounds on what strangers and devices can make the coordinator store or do. */

type Stub = Awaited<ReturnType<typeof ownerWithSwarm>>['stub'];

const logTexts = (stub: Stub) =>
	coordinatorSql(stub, (s) =>
		s
			.exec('SELECT text FROM log ORDER BY seq')
			.toArray()
			.map((r) => String(r.text))
	);

describe('swarm ids that are not in D1', () => {
	it('get 404 on the device socket and leave routes, and no coordinator storage is written', async () => {
		const id = 'ab'.repeat(16);
		const cookie = `murmur_device=${'A'.repeat(22)}.${'A'.repeat(43)}`;
		expect((await openSocket(`/swarm/${id}/device/ws`, cookie)).status).toBe(404);
		expect((await request(`/swarm/${id}/device/leave`, { method: 'POST', cookie })).status).toBe(404);
		// Even a stub created for that id (here by the test itself) counts nothing before init.
		const stub = env.SWARM_COORDINATOR.get(env.SWARM_COORDINATOR.idFromName(id));
		const rows = await coordinatorSql(stub, (s) => ({
			meta: Number(s.exec('SELECT count(*) AS n FROM meta').one().n),
			counters: Number(s.exec('SELECT count(*) AS n FROM counters').one().n)
		}));
		expect(rows).toEqual({ meta: 0, counters: 0 });
	});
});

describe('device message rate limits', () => {
	it('refuses benchmarks more often than the limit with retryAfterMs, logs the refusal once, keeps the score', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await joinDevice(swarmId, token, 'flooder');
		const socket = await connectDevice(swarmId, d.cookie);
		await socket.take('welcome');
		socket.send('benchmark', { score: 1000 });
		const FLOOD = 10;
		for (let i = 0; i < FLOOD; i++) socket.send('benchmark', { score: 5000 + i });
		for (let i = 0; i < FLOOD; i++) {
			const error = (await socket.take('error')).payload;
			expect(error.code).toBe('rate-limited');
			expect(error.retryAfterMs).toBeGreaterThan(0);
			expect(error.retryAfterMs).toBeLessThanOrEqual(BENCHMARK_LIMIT.windowMs);
		}
		const log = await logTexts(stub);
		expect(log.filter((t) => t.includes('benchmarked'))).toEqual(['flooder benchmarked: score 1000.']);
		expect(log.filter((t) => t.includes('too often'))).toHaveLength(1);
		const score = await coordinatorSql(
			stub,
			(s) => s.exec('SELECT score FROM devices WHERE id = ?', d.deviceId).one().score
		);
		expect(score).toBe(1000);
	});

	it('refuses frames once the per-device budget is spent, with retryAfterMs, and keeps the socket open', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await joinDevice(swarmId, token, 'chatty');
		const socket = await connectDevice(swarmId, d.cookie);
		await socket.take('welcome');
		// The budget is spent (a flood of FRAME_LIMIT.burst frames just ended): no token left, none refilled
		// for a while. Set in storage so the test does not race the refill rate.
		await coordinatorSql(stub, (s) =>
			s.exec('INSERT INTO device_frame_rate (key, tokens, at) VALUES (?, 0, ?)', d.deviceId, Date.now() + 60_000)
		);
		for (let i = 0; i < 3; i++) socket.send('benchmark', { score: 1000 });
		for (let i = 0; i < 3; i++) {
			const error = (await socket.take('error')).payload;
			expect(error.code).toBe('rate-limited');
			expect(error.retryAfterMs).toBeGreaterThan(0);
		}
		expect(socket.ws.readyState).toBe(WebSocket.OPEN);
		// None of them reached the coordinator: no score, no log line.
		expect(await coordinatorSql(stub, (s) => s.exec('SELECT score FROM devices').one().score)).toBeNull();
		expect((await logTexts(stub)).filter((t) => t.includes('benchmarked'))).toEqual([]);
		expect(FRAME_LIMIT.burst).toBeGreaterThanOrEqual(100);
	});
	// 600 frames and 599 error frames through real sockets: seconds on a loaded machine.
	it(
		'keeps the frame budget while benchmark refusals come in (each limit is pruned by its own rule)',
		{ timeout: 20_000 },
		async () => {
			const { owner, swarmId, stub } = await ownerWithSwarm();
			const { token } = await createInvite(swarmId, owner.cookie);
			const d = await joinDevice(swarmId, token, 'benchmark-flood');
			const socket = await connectDevice(swarmId, d.cookie);
			await socket.take('welcome');
			// 150 frames left, then 600 benchmark frames: about the first 150 pass the frame budget (all but the
			// first refused by the benchmark limit), the rest are refused by the frame budget, less what refills
			// meanwhile (60 per second). Hundreds of takes run the buckets' periodic prune, which must not hand back
			// a full frame budget (600: then hardly any frame would be refused).
			await coordinatorSql(stub, (s) =>
				s.exec('INSERT INTO device_frame_rate (key, tokens, at) VALUES (?, 150, ?)', d.deviceId, Date.now())
			);
			const SENT = 600;
			for (let i = 0; i < SENT; i++) socket.send('benchmark', { score: 1000 + i });
			const errors: { code: string; message: string }[] = [];
			while (errors.length < SENT - 1) errors.push((await socket.take('error')).payload);
			expect(errors.every((e) => e.code === 'rate-limited')).toBe(true);
			const byFrameBudget = errors.filter((e) => e.message.startsWith('Too many messages')).length;
			expect(byFrameBudget).toBeGreaterThanOrEqual(200);
			expect(byFrameBudget).toBeLessThanOrEqual(SENT - 150);
			expect(socket.ws.readyState).toBe(WebSocket.OPEN);
		}
	);
});

describe('device rows', () => {
	it('count left devices against MAX_DEVICES, and a device that never connects gets a cleanup alarm', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const before = Date.now();
		await joinDevice(swarmId, invite.token, 'never-connects');
		const alarm = await runInDurableObject(stub, (_i: SwarmCoordinator, state) => state.storage.getAlarm());
		expect(alarm).not.toBeNull();
		expect(alarm!).toBeLessThanOrEqual(Date.now() + CLEANUP_AFTER_MS);
		expect(alarm!).toBeGreaterThanOrEqual(before + CLEANUP_AFTER_MS);

		// A join/leave loop leaves `left` rows behind until cleanup; they fill the swarm like live devices.
		await coordinatorSql(stub, (s) =>
			s.exec(
				`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				 INSERT INTO devices (id, token_id, name, cores, user_agent, status, status_since, joined_at, last_seen_at, rev)
				 SELECT 'left' || i, ?, 'gone', 1, 'x', 'left', ?, ?, ?, 0 FROM n`,
				MAX_DEVICES - 2,
				invite.id,
				Date.now(),
				Date.now(),
				Date.now()
			)
		);
		await joinDevice(swarmId, invite.token, 'last-one');
		await expect(joinDevice(swarmId, invite.token, 'one-too-many')).rejects.toThrow(/409.*full/);
		// Once cleanup has deleted the old rows, joining works again.
		await coordinatorSql(stub, (s) =>
			s.exec("UPDATE devices SET status_since = ? WHERE status = 'left'", before - CLEANUP_AFTER_MS)
		);
		await runDurableObjectAlarm(stub);
		await joinDevice(swarmId, invite.token, 'after-cleanup');
	});
});

describe('the dashboard stream after a restart', () => {
	it('starts again with a keyframe (the baseline was in memory) that holds what changed and not what cleanup deleted', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const dash = await connectDashboard(swarmId, owner.cookie);
		await dash.take('keyframe');
		const invite = await createInvite(swarmId, owner.cookie);
		const a = await joinDevice(swarmId, invite.token, 'a');
		const b = await joinDevice(swarmId, invite.token, 'b');
		await runDurableObjectAlarm(stub);
		expect((await dash.take('delta')).payload.devices?.add?.map((d) => d.name)).toEqual(['a', 'b']);
		// Cleanup deletes b, then the object restarts.
		await coordinatorSql(stub, (s) => s.exec('DELETE FROM devices WHERE id = ?', b.deviceId));
		await evictDurableObject(stub);
		const socket = await connectDevice(swarmId, a.cookie);
		await socket.take('welcome');
		await runDurableObjectAlarm(stub);
		const keyframe = (await dash.take('keyframe')).payload;
		expect(keyframe.devices.map((d) => [d.name, d.status])).toEqual([['a', 'online']]);
		// And deltas again from there.
		await runDurableObjectAlarm(stub);
		expect((await dash.take('delta')).payload.tick).toBe(keyframe.tick + 1);
	});
});

describe('jsonBody', () => {
	const post = (body: BodyInit, headers: Record<string, string> = {}) =>
		new Request('http://localhost/x', { method: 'POST', body, headers });
	const refusal = async (result: Awaited<ReturnType<typeof jsonBody>>) => {
		if (result.ok) throw new Error('expected a refusal');
		return { status: result.response.status, body: await result.response.json() };
	};

	it('parses small JSON and refuses bodies over the cap, declared or streamed, in the one error shape', async () => {
		expect(await jsonBody(post('{"a":1}'), 'it')).toEqual({ ok: true, value: { a: 1 } });
		expect(await refusal(await jsonBody(post('not json'), 'it'))).toEqual({
			status: 400,
			body: { error: { code: 'bad-json', message: 'Send it as JSON.' } }
		});
		expect(await refusal(await jsonBody(post(JSON.stringify({ a: 'x'.repeat(5000) })), 'it'))).toMatchObject({
			status: 413,
			body: { error: { code: 'too-large' } }
		});
		const big = new TextEncoder().encode(JSON.stringify({ a: 'x'.repeat(50_000) }));
		// No Content-Length (a stream): the cap applies while reading, and the rest is never read.
		let pulls = 0;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				const at = pulls++ * 1024;
				if (at >= big.length) controller.close();
				else controller.enqueue(big.slice(at, at + 1024));
			}
		});
		expect((await refusal(await jsonBody(post(stream), 'it'))).status).toBe(413);
		expect(pulls).toBeLessThan(Math.ceil(big.length / 1024));
		// Optional bodies: none at all reads as {}.
		expect(await jsonBody(new Request('http://localhost/x', { method: 'POST' }), 'it', { optional: true })).toEqual({
			ok: true,
			value: {}
		});
	});
});
