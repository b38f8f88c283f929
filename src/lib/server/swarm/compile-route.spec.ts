import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ORIGIN, ownerWithSwarm, request } from '../../../testing/swarm';
import { freshJob } from '../../../testing/job-sources';
import { signedInUser } from '../../../testing/users';
import { compileAnswer, JOB_SOURCE_BODY_MAX_BYTES } from '$lib/protocol/job-compile';
import { POST } from '../../../routes/api/swarm/[id]/jobs/compile/+server';

const compile = (swarmId: string, cookie: string | undefined, body: unknown) =>
	request(`/api/swarm/${swarmId}/jobs/compile`, {
		method: 'POST',
		cookie,
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});

/** The `code` of an API error response (`{ error: { code, message } }`). */
const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

describe('POST /api/swarm/<id>/jobs/compile (the job editor\'s "Check")', { timeout: 30_000 }, () => {
	it("answers the owner's clean module and compile errors as data, through the real transpiler", async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const clean = await compile(swarmId, owner.cookie, { source: freshJob() });
		expect(clean.status).toBe(200);
		const answer = compileAnswer.parse(await clean.json());
		expect(answer).toMatchObject({ ok: true, cached: false });
		if (answer.ok) expect(answer.bytes).toBeGreaterThan(100);

		const broken = await compile(swarmId, owner.cookie, { source: freshJob('return chunk *;') });
		expect(broken.status).toBe(200);
		expect(await broken.json()).toEqual({
			ok: false,
			errors: [{ line: 6, column: 16, message: 'Unexpected ";"' }]
		});
	});

	it('is for the owner only, from an allowed Origin, before the transpiler does any work', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const stranger = await signedInUser(env);
		const before = await env.TRANSPILER.stats();
		const source = freshJob();
		expect((await compile(swarmId, stranger.cookie, { source })).status).toBe(404);
		expect((await compile(swarmId, undefined, { source })).status).toBe(404);
		for (const id of ['__proto__', 'constructor', 'nope'])
			expect((await compile(id, owner.cookie, { source })).status).toBe(404);
		const foreign = await exports.default.fetch(
			new Request(`${ORIGIN}/api/swarm/${swarmId}/jobs/compile`, {
				method: 'POST',
				headers: { origin: 'https://evil.example', cookie: owner.cookie, 'content-type': 'application/json' },
				body: JSON.stringify({ source })
			})
		);
		expect(foreign.status).toBe(403);
		expect(await foreign.json()).toEqual({ error: { code: 'origin', message: 'Cross-origin request refused.' } });
		// The owner's own call is the only one that reached the transpiler, and compiled once.
		expect((await compile(swarmId, owner.cookie, { source })).status).toBe(200);
		expect((await env.TRANSPILER.stats()).transpiles - before.transpiles).toBe(1);
	});

	it('refuses bodies that are not JSON, lack a source or are too large, with the API error shape', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		const notJson = await compile(swarmId, owner.cookie, 'export function run() {}');
		expect(notJson.status).toBe(400);
		expect(await errorCode(notJson)).toBe('bad-json');
		// A "__proto__" key in the JSON is an own property after parsing, never the object's prototype.
		const noSource = await compile(swarmId, owner.cookie, '{"code": "x", "__proto__": {"source": "x"}}');
		expect(noSource.status).toBe(400);
		expect(await errorCode(noSource)).toBe('bad-request');
		const tooLarge = await compile(swarmId, owner.cookie, { source: 'x'.repeat(JOB_SOURCE_BODY_MAX_BYTES) });
		expect(tooLarge.status).toBe(413);
		expect(await errorCode(tooLarge)).toBe('too-large');
		// Under the body cap but over the source cap: the transpiler's own refusal, as data.
		const overCap = await compile(swarmId, owner.cookie, { source: 'x'.repeat(70_000) });
		expect(overCap.status).toBe(200);
		expect(await overCap.json()).toEqual({
			ok: false,
			errors: [{ line: 0, column: 0, message: 'The job module is over 64 KiB; keep it smaller.' }]
		});
	});

	it('answers 503 when the TRANSPILER binding is missing, the rest of the app unaffected', async () => {
		const { owner, swarmId } = await ownerWithSwarm();
		// The route itself, run on an env without the binding (a deployment that lacks the transpiler).
		const unbound = { ...env, TRANSPILER: undefined } as unknown as Env;
		const response = await POST({
			request: new Request(`${ORIGIN}/api/swarm/${swarmId}/jobs/compile`, {
				method: 'POST',
				headers: { origin: ORIGIN, 'content-type': 'application/json' },
				body: JSON.stringify({ source: freshJob() })
			}),
			params: { id: swarmId },
			platform: { env: unbound },
			locals: { user: owner.user, session: null }
		} as unknown as Parameters<typeof POST>[0]);
		expect(response.status).toBe(503);
		expect(response.headers.get('retry-after')).toBe('60');
		expect(await errorCode(response)).toBe('transpiler-unavailable');
		expect((await request(`/api/swarm/${swarmId}/jobs`, { cookie: owner.cookie })).status).toBe(200);
	});
});
