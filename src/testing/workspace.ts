import { exports } from 'cloudflare:workers';
import type { WorkspaceClientMessage, WorkspaceServerMessage } from '$lib/protocol/workspace-messages';

/** Helpers for workspace tests: everything goes through the real worker (exports.default.fetch). */
export const ORIGIN = 'http://localhost:8787';

/** Submits a SvelteKit form action the way a browser would (same-origin POST with the session cookie). */
export async function postAction(cookie: string, path: string, fields: Record<string, string>) {
	return exports.default.fetch(
		new Request(`${ORIGIN}${path}`, {
			method: 'POST',
			headers: {
				cookie,
				origin: ORIGIN,
				accept: 'text/html',
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: new URLSearchParams(fields),
			redirect: 'manual'
		})
	);
}

/** Creates a workspace through the real form action and returns its id (from the redirect). */
export async function createWorkspaceVia(cookie: string, name = 'Test workspace'): Promise<string> {
	const response = await postAction(cookie, '/workspace?/create', { name });
	const location = response.headers.get('location') ?? '';
	const match = /\/workspace\/([0-9a-f-]{36})$/.exec(location);
	if (response.status !== 303 || !match) throw new Error(`create failed: ${response.status} ${await response.text()}`);
	return match[1];
}

export async function tokenFor(cookie: string): Promise<string> {
	const response = await exports.default.fetch(new Request(`${ORIGIN}/api/workspace/token`, { headers: { cookie } }));
	if (!response.ok) throw new Error(`token failed: ${response.status}`);
	return ((await response.json()) as { token: string }).token;
}

export function openSocket(workspaceId: string, token: string | null, extra: Record<string, string> = {}) {
	const params = new URLSearchParams(extra);
	if (token) params.set('token', token);
	return exports.default.fetch(
		new Request(`${ORIGIN}/workspace/${workspaceId}/ws?${params}`, {
			headers: { Upgrade: 'websocket', origin: ORIGIN }
		})
	);
}

export interface TestSocket {
	ws: WebSocket;
	received: WorkspaceServerMessage[];
	rawSizes: number[];
	/**
	 * Sends a frame. A pull without a `lastBurstId` key gets the latest `burstId` received, as a client
	 * that reads its socket would send (one burst outstanding per socket); tests of that rule send
	 * `lastBurstId` explicitly, or strings.
	 */
	send(message: WorkspaceClientMessage | string): void;
	next<T extends WorkspaceServerMessage['type']>(
		type: T,
		match?: (m: Extract<WorkspaceServerMessage, { type: T }>) => boolean
	): Promise<Extract<WorkspaceServerMessage, { type: T }>>;
	closed: Promise<CloseEvent>;
}

/** Accepts the client end of a 101 and lets tests await messages in order (each consumed once). */
export function listen(response: Response): TestSocket {
	const ws = response.webSocket;
	if (response.status !== 101 || !ws) throw new Error(`expected 101, got ${response.status}`);
	const received: WorkspaceServerMessage[] = [];
	const rawSizes: number[] = [];
	const consumed = new Set<WorkspaceServerMessage>();
	const waiters: (() => void)[] = [];
	ws.accept();
	ws.addEventListener('message', (event) => {
		const text = event.data as string;
		rawSizes.push(new TextEncoder().encode(text).byteLength);
		received.push(JSON.parse(text));
		waiters.splice(0).forEach((wake) => wake());
	});
	const closed = new Promise<CloseEvent>((resolve) =>
		ws.addEventListener('close', (event) => {
			resolve(event);
			waiters.splice(0).forEach((wake) => wake());
		})
	);
	return {
		ws,
		received,
		rawSizes,
		closed,
		send(message) {
			if (typeof message !== 'string' && message.type === 'pull' && !('lastBurstId' in message)) {
				message = { ...message, lastBurstId: latestBurstId(received) };
			}
			ws.send(typeof message === 'string' ? message : JSON.stringify(message));
		},
		async next(type, match) {
			for (;;) {
				const found = received.find((m) => !consumed.has(m) && m.type === type && (!match || match(m as never))) as
					Extract<WorkspaceServerMessage, { type: typeof type }> | undefined;
				if (found) {
					consumed.add(found);
					return found;
				}
				await new Promise<void>((resolve, reject) => {
					waiters.push(resolve);
					setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), 5_000);
				});
			}
		}
	};
}

/** The `burstId` of the latest frame that ended a pull's answer, or null before any. */
export function latestBurstId(received: WorkspaceServerMessage[]): string | null {
	for (let i = received.length - 1; i >= 0; i--) {
		const frame = received[i];
		if ((frame.type === 'events' || frame.type === 'reset') && frame.burstId !== undefined) return frame.burstId;
	}
	return null;
}
