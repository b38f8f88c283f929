import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
	assigned,
	connectDashboard,
	coordinatorSql,
	createInvite,
	joinDevice,
	manualDevice,
	openSocket,
	ownerWithSwarm,
	processed,
	request,
	SimDevice,
	submit
} from '../../../testing/swarm';
import { signedInUser } from '../../../testing/users';
import { CloseCode } from '$lib/protocol/close-codes';
import { SWARM_FRAME_MAX_BYTES, swarmChannel } from '$lib/protocol/swarm-channel';
import { loadCodec } from '$lib/server/codec';
import { DISCONNECTED_REASON } from './device-fleet';
import { OFFLINE_AFTER_MS } from './lifecycle';
import { MAX_IN_FLIGHT } from './scheduler';
import type { SwarmCoordinator } from './swarm-coordinator';

const primes = (lo: number, hi: number, chunkSize: number) => ({ kind: 'primes', lo, hi, chunkSize });

/**
 * Waits until the object has seen a closed dashboard go: the close handshake finished (the object echoed it),
 * and the object itself counts no dashboard, so what it does next is what it does with none connected.
 */
async function dashboardGone(
	dash: Awaited<ReturnType<typeof connectDashboard>>,
	stub: Awaited<ReturnType<typeof ownerWithSwarm>>['stub']
) {
	await dash.closed;
	expect((await stub.stats()).dashboards).toBe(0);
}

describe('weighted scheduling with quotas', () => {
	it('splits a job by score (within one chunk of the exact share) and never past a device quota', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const slow = await manualDevice(swarmId, token, 'slow', 1000);
		const mid = await manualDevice(swarmId, token, 'mid', 2000);
		const fast = await manualDevice(swarmId, token, 'fast', 4000);
		// Scores 1:2:4 give quotas 2, 4 and 8 (MAX_IN_FLIGHT for the fastest) and weights 1/7, 2/7, 4/7.
		const job = await submit(swarmId, owner.cookie, primes(0, 7000, 1000));
		expect(job.status).toBe(201);
		const [s, m, f] = [await assigned(slow.socket, 1), await assigned(mid.socket, 2), await assigned(fast.socket, 4)];
		expect([s.length, m.length, f.length]).toEqual([1, 2, 4]);

		// A big job fills every device exactly to its quota, leaving the rest pending.
		const big = await submit(swarmId, owner.cookie, primes(0, 1_000_000, 1000));
		expect(big.body.chunks).toBe(1000);
		const more = [await assigned(slow.socket, 1), await assigned(mid.socket, 2), await assigned(fast.socket, 4)];
		expect(more.map((c) => c.length)).toEqual([1, 2, 4]);
		const inFlight = [s.length + more[0].length, m.length + more[1].length, f.length + more[2].length];
		expect(inFlight).toEqual([2, 4, MAX_IN_FLIGHT]);
		await processed(slow.socket);
		expect(slow.socket.received.filter((x) => x.type === 'assign')).toHaveLength(0);

		// Answering one chunk frees one slot, refilled at once for that device only.
		const first = s[0];
		slow.socket.send('result', { jobId: first.jobId, chunk: first.chunk, output: { kind: 'primes', count: 168 } });
		expect((await slow.socket.take('accepted')).type).toBe('accepted');
		expect((await assigned(slow.socket, 1)).length).toBe(1);
		await processed(fast.socket);
		expect(fast.socket.received.filter((x) => x.type === 'assign')).toHaveLength(0);
	});

	it('completes a prime-counting job with the right answer', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		await Promise.all([SimDevice.start(swarmId, token, 'a', 1500), SimDevice.start(swarmId, token, 'b', 3000)]);
		const job = await submit(swarmId, owner.cookie, primes(0, 1_000_000, 50_000));
		for (let i = 0; i < 100; i++) {
			const view = (await stub.jobs()).find((j) => j.id === job.body.jobId)!;
			if (view.status === 'done') {
				expect(view.answer).toBe(78_498); // π(10⁶)
				expect(view.done).toBe(20);
				return;
			}
			await new Promise((r) => setTimeout(r, 20));
		}
		throw new Error('job did not finish');
	});
});

describe('results and bad messages', () => {
	it('rejects a result for a chunk assigned to another device, and loses nothing', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const a = await manualDevice(swarmId, token, 'a', 1000);
		const b = await manualDevice(swarmId, token, 'b', 1000);
		await submit(swarmId, owner.cookie, primes(0, 2000, 1000));
		const [chunkOfA] = await assigned(a.socket, 1);
		await assigned(b.socket, 1);
		b.socket.send('result', { jobId: chunkOfA.jobId, chunk: chunkOfA.chunk, output: { kind: 'primes', count: 1 } });
		const error = await b.socket.take('error');
		expect(error.payload).toMatchObject({ code: 'not-assigned' });
		// The same frame from the assigned device is accepted.
		a.socket.send('result', { jobId: chunkOfA.jobId, chunk: chunkOfA.chunk, output: { kind: 'primes', count: 168 } });
		await a.socket.take('accepted');
		// A replay of an accepted result is refused too.
		a.socket.send('result', { jobId: chunkOfA.jobId, chunk: chunkOfA.chunk, output: { kind: 'primes', count: 168 } });
		expect((await a.socket.take('error')).payload).toMatchObject({ code: 'not-assigned' });
		const job = (await stub.jobs())[0];
		expect(job).toMatchObject({ done: 1, answer: 168 });
	});

	it('answers malformed, unknown, out-of-range and wrong-shape frames with errors and keeps the socket', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await manualDevice(swarmId, token, 'd', 1000);
		await submit(swarmId, owner.cookie, primes(0, 1000, 1000));
		const [chunk] = await assigned(d.socket, 1);
		const codec = await loadCodec();
		const { wire } = d.socket;
		const utf8 = new TextEncoder();
		// Frames built by hand: what a broken or hostile client could put on the wire.
		const cases: [string | Uint8Array, string][] = [
			['not a codec frame', 'bad-frame'],
			[new Uint8Array([1, 2, 3]), 'bad-frame'],
			[codec.encode(99, 1, utf8.encode('{}')), 'unknown-type'],
			[codec.encode(swarmChannel.client.benchmark.type, 1, utf8.encode('not json')), 'bad-frame'],
			[wire.encodeClient('benchmark', { score: -5 }, 1), 'bad-message'],
			[wire.encodeClient('benchmark', { score: 1e12 }, 1), 'bad-message'],
			[wire.encodeClient('result', { jobId: 'zz', chunk: 0, output: { kind: 'primes', count: 1 } }, 1), 'bad-message'],
			[
				wire.encodeClient(
					'result',
					{ jobId: chunk.jobId, chunk: chunk.chunk, output: { kind: 'primes', count: 5000 } },
					1
				),
				'bad-result'
			],
			[
				wire.encodeClient(
					'result',
					{ jobId: chunk.jobId, chunk: chunk.chunk, output: { kind: 'mandelbrot', pixels: 'AAAA' } },
					1
				),
				'bad-result'
			],
			// A dashboard's request on a device socket.
			[wire.encodeClient('refresh', {}, 1), 'forbidden']
		];
		for (const [frame, code] of cases) {
			d.socket.ws.send(frame);
			expect((await d.socket.take('error')).payload, String(code)).toMatchObject({ code });
		}
		// Still usable: the real answer is accepted.
		d.socket.send('result', { jobId: chunk.jobId, chunk: chunk.chunk, output: { kind: 'primes', count: 168 } });
		await d.socket.take('accepted');
		// Oversized frames close with 1009.
		d.socket.ws.send('x'.repeat(SWARM_FRAME_MAX_BYTES + 1024));
		expect((await d.socket.closed).code).toBe(1009);
	});

	it('refuses jobs from non-owners and devices, and bad job specs', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const stranger = await signedInUser(env);
		expect((await submit(swarmId, stranger.cookie, primes(0, 1000, 1000))).status).toBe(404);
		const { token } = await createInvite(swarmId, owner.cookie);
		const device = await joinDevice(swarmId, token, 'x');
		expect((await submit(swarmId, device.cookie, primes(0, 1000, 1000))).status).toBe(404);
		expect(
			(await request(`/api/swarm/${swarmId}/tokens`, { method: 'POST', cookie: stranger.cookie, body: '{}' })).status
		).toBe(404);
		const bad = await submit(swarmId, owner.cookie, primes(10, 5, 1000));
		expect(bad.status).toBe(400);
		expect(bad.body.error).toMatchObject({ code: 'bad-job', message: expect.stringMatching(/greater/) });
		// A stranger cannot open the dashboard socket either.
		expect((await openSocket(`/swarm/${swarmId}/ws`, stranger.cookie)).status).toBe(403);
	});
});

describe('device lifecycle', () => {
	it('reassigns the chunks of a device that stops sending heartbeats, when the alarm runs', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const quiet = await manualDevice(swarmId, token, 'quiet', 4000);
		const job = await submit(swarmId, owner.cookie, primes(0, 4000, 1000));
		const held = await assigned(quiet.socket, 4);
		const helper = await manualDevice(swarmId, token, 'helper', 4000);

		// Time passes for `quiet` only: its connect time and last message move 2 minutes into the past
		// and it never sent a "ping", so the runtime has no auto-response timestamp for it.
		await runInDurableObject(stub, (instance: SwarmCoordinator, state) => {
			const past = Date.now() - 2 * OFFLINE_AFTER_MS;
			for (const ws of state.getWebSockets(`device:${quiet.deviceId}`)) {
				ws.serializeAttachment({ ...ws.deserializeAttachment(), connectedAt: past });
			}
			state.storage.sql.exec('UPDATE devices SET last_seen_at = ? WHERE id = ?', past, quiet.deviceId);
			void instance;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await quiet.socket.closed).code).toBe(CloseCode.heartbeatTimeout);

		const moved = await assigned(helper.socket, 4);
		expect(moved.map((c) => c.chunk).sort()).toEqual(held.map((c) => c.chunk).sort());
		for (const c of moved)
			helper.socket.send('result', { jobId: c.jobId, chunk: c.chunk, output: { kind: 'primes', count: 0 } });
		for (let i = 0; i < 4; i++) await helper.socket.take('accepted');
		const view = (await stub.jobs()).find((j) => j.id === job.body.jobId)!;
		expect(view).toMatchObject({ status: 'done', retries: 4 });
		const log = (await stub.stats()).counters;
		expect(log['wake.alarm']).toBeGreaterThanOrEqual(1);
	});

	it('keeps a device whose heartbeat the runtime answered (no wake-up needed for pings)', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await manualDevice(swarmId, token, 'pinger', 1000);
		const before = (await stub.stats()).counters['wake.message'] ?? 0;
		d.socket.ws.send('ping');
		await d.socket.pong();
		// The marker after the ping is a message the object handles: one wake-up, the ping none.
		await processed(d.socket);
		expect((await stub.stats()).counters['wake.message'] ?? 0).toBe(before + 1);
		await runDurableObjectAlarm(stub);
		expect((await stub.stats()).devicesOnline).toBe(1);
	});

	it('fails a job after a chunk has been tried MAX_ATTEMPTS times', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await manualDevice(swarmId, token, 'flaky', 1000);
		await submit(swarmId, owner.cookie, primes(0, 1000, 1000));
		for (let attempt = 1; attempt <= 5; attempt++) {
			const [chunk] = await assigned(d.socket, 1);
			d.socket.send('chunk-failed', { jobId: chunk.jobId, chunk: chunk.chunk, error: 'out of memory' });
		}
		await processed(d.socket);
		const [job] = await stub.jobs();
		expect(job.status).toBe('failed');
		expect(job.error).toMatch(/failed 5 times/);
	});

	it('rehydrates from storage after the object restarts: assignments and results carry on', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const { token } = await createInvite(swarmId, owner.cookie);
		const d = await manualDevice(swarmId, token, 'survivor', 1000);
		await submit(swarmId, owner.cookie, primes(0, 2000, 1000));
		const [first, second] = await assigned(d.socket, 2);
		await evictDurableObject(stub);
		d.socket.send('result', { jobId: first.jobId, chunk: first.chunk, output: { kind: 'primes', count: 168 } });
		await d.socket.take('accepted');
		await evictDurableObject(stub);
		d.socket.send('result', { jobId: second.jobId, chunk: second.chunk, output: { kind: 'primes', count: 135 } });
		await d.socket.take('accepted');
		expect((await stub.jobs())[0]).toMatchObject({ status: 'done', answer: 303 });
		expect((await stub.stats()).counters['wake.start']).toBeGreaterThanOrEqual(2);
	});

	it('leave and disconnect make the credential useless', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const leaver = await joinDevice(swarmId, invite.token, 'leaver');
		expect((await request(`/swarm/${swarmId}/device/leave`, { method: 'POST', cookie: leaver.cookie })).status).toBe(
			200
		);
		expect((await openSocket(`/swarm/${swarmId}/device/ws`, leaver.cookie)).status).toBe(401);

		const member = await manualDevice(swarmId, invite.token, 'member', 1000);
		const res = await request(`/api/swarm/${swarmId}/devices/${member.deviceId}`, {
			method: 'DELETE',
			cookie: owner.cookie
		});
		expect(res.status).toBe(200);
		const closed = await member.socket.closed;
		expect(closed.code).toBe(CloseCode.policy);
		expect(closed.reason).toBe(DISCONNECTED_REASON);
		expect((await openSocket(`/swarm/${swarmId}/device/ws`, member.cookie)).status).toBe(401);
		// A forged credential (valid shape, wrong MAC) is refused.
		const forged = member.cookie.replace(/\.[A-Za-z0-9_-]{43}$/, '.' + 'A'.repeat(43));
		expect((await openSocket(`/swarm/${swarmId}/device/ws`, forged)).status).toBe(401);
	});

	it('revoking an invite stops new joins only; disconnecting its devices is a separate call', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const member = await manualDevice(swarmId, invite.token, 'member', 1000);
		const other = await manualDevice(swarmId, (await createInvite(swarmId, owner.cookie)).token, 'other', 1000);
		await processed(member.socket);

		const revoked = await request(`/api/swarm/${swarmId}/tokens/${invite.id}`, {
			method: 'DELETE',
			cookie: owner.cookie
		});
		expect(revoked.status).toBe(200);
		await expect(joinDevice(swarmId, invite.token, 'late')).rejects.toThrow(/403.*revoked/);
		// The member still works: it is handed chunks of a job submitted after the revoke, and its credential
		// still opens a socket (checked without opening one, which would replace the socket above).
		await submit(swarmId, owner.cookie, primes(0, 4000, 1000));
		expect((await member.socket.take('assign')).payload.chunks.length).toBeGreaterThan(0);
		expect(await stub.authenticateDevice(member.credential)).toMatchObject({ deviceId: member.deviceId });
		expect(await stub.deviceStanding(member.credential)).toBe('member');

		const res = await request(`/api/swarm/${swarmId}/tokens/${invite.id}/devices`, {
			method: 'DELETE',
			cookie: owner.cookie
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ disconnected: 1 });
		expect((await member.socket.closed).reason).toBe(DISCONNECTED_REASON);
		expect(await stub.deviceStanding(member.credential)).toBe('revoked');
		expect((await openSocket(`/swarm/${swarmId}/device/ws`, member.cookie)).status).toBe(401);
		// The device of the other invite is untouched: it answers a marker frame on the same socket.
		await processed(other.socket);
		expect(await stub.deviceStanding(other.credential)).toBe('member');
		// Only the owner may disconnect, and only invites that exist.
		const stranger = await signedInUser(env);
		const path = `/api/swarm/${swarmId}/tokens/${invite.id}/devices`;
		expect((await request(path, { method: 'DELETE', cookie: stranger.cookie })).status).toBe(404);
		expect(
			(await request(`/api/swarm/${swarmId}/tokens/nope/devices`, { method: 'DELETE', cookie: owner.cookie })).status
		).toBe(404);
	});
});

describe('invites', () => {
	it('allows 5 invites a minute, then answers 429 with the wait', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		for (let i = 0; i < 5; i++) await createInvite(swarmId, owner.cookie);
		const res = await request(`/api/swarm/${swarmId}/tokens`, { method: 'POST', cookie: owner.cookie, body: '{}' });
		expect(res.status).toBe(429);
		const wait = Number(res.headers.get('retry-after'));
		expect(wait).toBeGreaterThan(50);
		expect(wait).toBeLessThanOrEqual(60);
		const { error } = (await res.json()) as { error: { code: string; message: string } };
		expect(error).toMatchObject({ code: 'rate-limited', message: expect.stringMatching(/wait \d+ s/) });
		// Once the window has passed (creation times moved back a minute), invites work again.
		await runInDurableObject(stub, (_i: SwarmCoordinator, state) => {
			state.storage.sql.exec('UPDATE tokens SET created_at = created_at - 61000');
		});
		await createInvite(swarmId, owner.cookie);
	});

	it('shows a live invite again to its owner only, and not once it is revoked', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const again = await request(`/api/swarm/${swarmId}/tokens/${invite.id}`, { cookie: owner.cookie });
		expect(again.status).toBe(200);
		expect(again.headers.get('cache-control')).toBe('no-store');
		expect(await again.json()).toEqual({ id: invite.id, token: invite.token, expiresAt: invite.expiresAt });
		// The token shown again joins, exactly like the first.
		await joinDevice(swarmId, invite.token, 'shown again');

		const stranger = await signedInUser(env);
		expect((await request(`/api/swarm/${swarmId}/tokens/${invite.id}`, { cookie: stranger.cookie })).status).toBe(404);
		await request(`/api/swarm/${swarmId}/tokens/${invite.id}`, { method: 'DELETE', cookie: owner.cookie });
		const gone = await request(`/api/swarm/${swarmId}/tokens/${invite.id}`, { cookie: owner.cookie });
		expect(gone.status).toBe(404);
		expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('not-found');
	});

	it('says so, in words, when an invite made with a random token cannot be shown again', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		// As invites made before tokens were derived: only the hash of a random token is stored.
		await runInDurableObject(stub, (_i: SwarmCoordinator, state) => {
			state.storage.sql.exec('UPDATE tokens SET hash = ? WHERE id = ?', 'f'.repeat(64), invite.id);
		});
		const res = await request(`/api/swarm/${swarmId}/tokens/${invite.id}`, { cookie: owner.cookie });
		expect(res.status).toBe(410);
		expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/create a new one/);
	});

	it('stores only hashes, and refuses expired, used-up and unknown tokens', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie, 1);
		expect(invite.token.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
		const stored = await runInDurableObject(stub, (_i: SwarmCoordinator, state) =>
			state.storage.sql
				.exec('SELECT hash FROM tokens')
				.toArray()
				.map((r) => String(r.hash))
		);
		expect(stored).toHaveLength(1);
		expect(stored[0]).not.toContain(invite.token);
		await joinDevice(swarmId, invite.token, 'first');
		await expect(joinDevice(swarmId, invite.token, 'second')).rejects.toThrow(/410.*used up/);
		await expect(joinDevice(swarmId, 'x'.repeat(43), 'guess')).rejects.toThrow(/403/);

		const expiring = await createInvite(swarmId, owner.cookie);
		await runInDurableObject(stub, (_i: SwarmCoordinator, state) => {
			state.storage.sql.exec('UPDATE tokens SET expires_at = ? WHERE id = ?', Date.now() - 1, expiring.id);
		});
		await expect(joinDevice(swarmId, expiring.token, 'late')).rejects.toThrow(/410.*expired/);
	});
});

describe('dashboard broadcast', () => {
	it('sends a keyframe on connect, broadcasts deltas from the alarm only while a dashboard is connected', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const dash = await connectDashboard(swarmId, owner.cookie);
		const first = await dash.take('keyframe');
		expect(first.payload).toMatchObject({ part: 0, parts: 1, swarm: { id: swarmId } });
		const { token } = await createInvite(swarmId, owner.cookie);
		await manualDevice(swarmId, token, 'watched', 1000);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const tick = (await dash.take('delta')).payload;
		expect(tick.tick).toBe(first.payload.tick + 1);
		expect(tick.devices?.add?.map((d) => d.name)).toContain('watched');
		expect(tick.log?.map((l) => l.text).join('\n')).toMatch(/watched joined/);
		dash.ws.close(1000);
		await dashboardGone(dash, stub);
		const broadcasts = (await stub.stats()).counters.broadcasts;
		await runDurableObjectAlarm(stub);
		expect((await stub.stats()).counters.broadcasts).toBe(broadcasts);
	});

	it('refuses device messages from a dashboard with forbidden (echoing the request) and keeps the socket', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const dash = await connectDashboard(swarmId, owner.cookie);
		await dash.take('keyframe');
		const seq = dash.send('benchmark', { score: 1000 });
		expect(await dash.take('error')).toMatchObject({ seq, payload: { code: 'forbidden' } });
		// Still usable: a dashboard's own request is answered.
		const refresh = dash.send('refresh', {});
		expect((await dash.take('keyframe')).seq).toBe(refresh);
		// Nothing reached the devices' handler: no score was recorded, no log line written.
		const logged = await coordinatorSql(stub, (sql) =>
			sql.exec("SELECT count(*) AS n FROM log WHERE text LIKE '%benchmarked%'").one()
		);
		expect(logged.n).toBe(0);
	});

	it('stops rescheduling the alarm when nothing is connected', async () => {
		const { owner, swarmId, stub } = await ownerWithSwarm();
		const dash = await connectDashboard(swarmId, owner.cookie);
		await dash.take('keyframe');
		dash.ws.close(1000);
		await dashboardGone(dash, stub);
		await runDurableObjectAlarm(stub);
		const alarm = await runInDurableObject(stub, (_i: SwarmCoordinator, state) => state.storage.getAlarm());
		expect(alarm).toBeNull();
	});
});
