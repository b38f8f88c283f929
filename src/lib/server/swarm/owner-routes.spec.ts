import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ORIGIN } from '../../../testing/channel-socket';
import { createInvite, ownerWithSwarm, request } from '../../../testing/swarm';
import { signedInUser } from '../../../testing/users';

/** Every owner-only swarm API route goes through ownedSwarmRequest (swarm/http.ts): one prologue, tested once. */
const CHANGES = [
	['POST', 'jobs', '{"kind":"primes","from":0,"to":1000,"chunkSize":1000}'],
	['POST', 'jobs/compile', '{"source":"export {}"}'],
	['POST', 'jobs/0123456789abcdef', '{"action":"pause"}'],
	['POST', 'tokens', '{}'],
	['DELETE', 'tokens/INVITE', null],
	['DELETE', 'tokens/INVITE/devices', null],
	['DELETE', 'devices/some-device', null]
] as const;
const READS = ['jobs', 'jobs/0123456789abcdef', 'stats', 'tokens', 'tokens/INVITE'] as const;

describe('owner-only swarm routes', () => {
	it('refuse a foreign Origin on every change before anything happens, and answer strangers 404', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const invite = await createInvite(swarmId, owner.cookie);
		const stranger = await signedInUser(env);
		const path = (tail: string) => `/api/swarm/${swarmId}/${tail.replace('INVITE', invite.id)}`;

		for (const [method, tail, body] of CHANGES) {
			const foreign = await exports.default.fetch(
				new Request(`${ORIGIN}${path(tail)}`, {
					method,
					body,
					headers: { origin: 'https://evil.example', cookie: owner.cookie, 'content-type': 'application/json' }
				})
			);
			expect(foreign.status, `${method} ${tail}`).toBe(403);
			expect(await foreign.json(), `${method} ${tail}`).toMatchObject({ error: { code: 'origin' } });
			const strangers = await request(path(tail), { method, body, cookie: stranger.cookie });
			expect(strangers.status, `${method} ${tail} by a stranger`).toBe(404);
		}
		for (const tail of READS)
			expect((await request(path(tail), { cookie: stranger.cookie })).status, `GET ${tail}`).toBe(404);

		// Nothing the refused requests asked for happened: still one invite, still live, no job.
		const tokens = (await (await request(path('tokens'), { cookie: owner.cookie })).json()) as { id: string }[];
		expect(tokens.map((t) => t.id)).toEqual([invite.id]);
		expect((await request(path('tokens/INVITE'), { cookie: owner.cookie })).status).toBe(200);
		expect(await (await request(path('jobs'), { cookie: owner.cookie })).json()).toEqual([]);
	});
});
