import { env, exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PendingEvent } from '$lib/protocol/workspace-messages';
import { gracePeriodSeconds } from '$lib/server/auth/workspace';
import { CloseCode } from '$lib/protocol/close-codes';
import { signedInUser } from '../../../testing/users';
import {
	connect,
	createWorkspaceVia,
	openSocket,
	ORIGIN,
	refusalOf,
	tokenFor,
	type TestSocket
} from '../../../testing/workspace';

/**
 * A socket lives no longer than the token that opened it: a workspace JWT is good for five minutes (plus
 * GRACE_PERIOD_SECONDS when the socket was a reconnect), and once that is over the socket's next frame —
 * one it sends or one it would be sent — closes it with 4002 instead of being served, so a leaked token
 * cannot keep a socket writing or reading for good. The client reconnects with a fresh token and re-pushes
 * what was refused. Only `Date` is faked here (the worker, the object and jose all read it), to jump past
 * the token's expiry without waiting five minutes.
 */
afterEach(() => {
	vi.useRealTimers();
});

async function issuedToken(cookie: string) {
	const response = await exports.default.fetch(new Request(`${ORIGIN}/api/workspace/token`, { headers: { cookie } }));
	return (await response.json()) as { token: string; expiresAt: number };
}

function task(clientSeq: number): PendingEvent {
	const id = `expiry-${clientSeq}`;
	return {
		name: 'task.created',
		args: { id, title: id, status: 'todo', order: clientSeq, assignee: null },
		clientId: 'client-expiry',
		clientSeq,
		at: Date.now()
	};
}

async function caughtUp(socket: TestSocket) {
	const hello = (await socket.next('hello')).payload;
	socket.send('pull', { cursor: 0, backendId: hello.backendId });
	return (await socket.next('events', (m) => !m.payload.more)).payload.head;
}

/** The socket's close code, or 'served' if the server answered it with events instead. */
function closedOrServed(socket: TestSocket): Promise<number | 'served'> {
	return Promise.race([socket.closed.then((e) => e.code), socket.next('events').then(() => 'served' as const)]);
}

const titles = async (workspaceId: string) =>
	(await env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId)).readLog()).map(
		(e) => (e.args as { title: string }).title
	);

describe('a workspace token that expires while its socket is open', () => {
	it('closes the socket with 4002 at its next frame, logs nothing it sent after expiry, and lets it resume only within the grace period', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const owner = await signedInUser(env);
		const workspaceId = await createWorkspaceVia(owner.cookie, 'token expiry');
		const { token, expiresAt } = await issuedToken(owner.cookie);
		const writer = await connect(workspaceId, token);
		const reader = await connect(workspaceId, token);
		const head = await caughtUp(writer);
		await caughtUp(reader);

		writer.send('push', { parent: head, events: [task(1)] });
		await writer.next('events', (m) => m.payload.live);
		await reader.next('events', (m) => m.payload.live);

		vi.setSystemTime(expiresAt + 1_000);
		// The writer's push after expiry is refused by closing the socket, and not logged.
		writer.send('push', { parent: head + 1, events: [task(2)] });
		expect(await closedOrServed(writer)).toBe(CloseCode.tokenExpired);
		expect(await titles(workspaceId)).toEqual(['expiry-1']);

		// The reader sent nothing since; the next broadcast closes it instead of feeding an expired socket.
		const other = await connect(workspaceId, await tokenFor(owner.cookie));
		await caughtUp(other);
		other.send('push', { parent: head + 1, events: [{ ...task(2), clientId: 'client-other' }] });
		await other.next('events', (m) => m.payload.live);
		expect(await closedOrServed(reader)).toBe(CloseCode.tokenExpired);

		// A new socket on the expired token is refused; a reconnect within the grace period resumes.
		expect((await openSocket(workspaceId, token)).status).toBe(401);
		const resumed = await connect(workspaceId, token, { reconnect: '1' });
		const resumedHead = await caughtUp(resumed);
		resumed.send('push', { parent: resumedHead, events: [task(2)] });
		await resumed.next('events', (m) => m.payload.live);
		expect(await titles(workspaceId)).toEqual(['expiry-1', 'expiry-2', 'expiry-2']);

		// Past the grace period the resumed socket goes the same way, and reconnecting is refused.
		vi.setSystemTime(expiresAt + (gracePeriodSeconds(env) + 1) * 1_000);
		resumed.send('pull', { cursor: 0, backendId: null });
		expect(await closedOrServed(resumed)).toBe(CloseCode.tokenExpired);
		const late = await openSocket(workspaceId, token, { reconnect: '1' });
		expect(late.status).toBe(401);
		expect(await refusalOf(late)).toMatchObject({ code: 'token-expired', message: /expired/ });
	});
});
