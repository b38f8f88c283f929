import { exports } from 'cloudflare:workers';
import type { ClientKind, ClientPayload, ServerKind, ServerMessage, ServerMessageOf } from '$lib/protocol/channel';
import { workspaceChannel, type WorkspaceChannel } from '$lib/protocol/workspace-channel';
import { loadCodec } from '$lib/server/codec';
import { openChannelSocket, ORIGIN, upgrade, type ChannelSocket, type UpgradeOptions } from './channel-socket';

/** Helpers for workspace tests: everything goes through the real worker (exports.default.fetch). */
export { ORIGIN };

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

/** The socket path as the browser builds it: the JWT (and e.g. `reconnect=1`) in the query. */
export function socketPath(workspaceId: string, token: string | null, extra: Record<string, string> = {}): string {
	const params = new URLSearchParams(extra);
	if (token) params.set('token', token);
	return `/workspace/${workspaceId}/ws?${params}`;
}

/** The answer to a workspace socket upgrade through the whole worker (a refusal's status and body, or a 101). */
export function openSocket(
	workspaceId: string,
	token: string | null,
	extra: Record<string, string> = {},
	options: UpgradeOptions = {}
) {
	return upgrade(workspaceChannel, socketPath(workspaceId, token, extra), options);
}

/** The error body of a refused upgrade (the REST error shape). */
export async function refusalOf(response: Response): Promise<{ code: string; message: string }> {
	return ((await response.json()) as { error: { code: string; message: string } }).error;
}

export type WorkspaceMessage = ServerMessage<WorkspaceChannel>;
type Of<T extends ServerKind<WorkspaceChannel> | 'error'> = ServerMessageOf<WorkspaceChannel, T>;

export interface TestSocket {
	ws: WebSocket;
	/** Every frame received, decoded and validated by the contract, in order. */
	received: WorkspaceMessage[];
	/** Bytes on the wire of each frame in `received` (what the object buffers until it is read). */
	readonly rawSizes: number[];
	/** The JSON payload's length of a received frame (before LZ4): what the page limits bound. */
	payloadBytes(message: WorkspaceMessage): number;
	/**
	 * Sends a request. A pull without a `lastBurstId` key gets the latest `burstId` received, as a client
	 * that reads its socket would send (one burst outstanding per socket); tests of that rule send
	 * `lastBurstId` explicitly, or raw frames. Returns the request number.
	 */
	send<N extends ClientKind<WorkspaceChannel>>(type: N, payload: ClientPayload<WorkspaceChannel, N>): number;
	/** Sends anything (a text frame, a hand-built or corrupt codec frame). */
	sendRaw(data: string | Uint8Array): void;
	/** The first frame of `type` (matching) not returned before; each frame is consumed once. */
	next<T extends ServerKind<WorkspaceChannel> | 'error'>(type: T, match?: (m: Of<T>) => boolean): Promise<Of<T>>;
	closed: Promise<CloseEvent>;
	channel: ChannelSocket<WorkspaceChannel>;
}

/** A workspace socket through the whole worker, speaking the channel contract (see openChannelSocket). */
export async function connect(
	workspaceId: string,
	token: string | null,
	extra: Record<string, string> = {}
): Promise<TestSocket> {
	const channel = await openChannelSocket(workspaceChannel, socketPath(workspaceId, token, extra));
	const codec = await loadCodec();
	const consumed = new Set<WorkspaceMessage>();
	return {
		ws: channel.ws,
		received: channel.messages,
		get rawSizes() {
			return channel.raw.map((frame) => frame.byteLength);
		},
		payloadBytes(message) {
			return codec.decode(channel.raw[channel.messages.indexOf(message)]).payload.byteLength;
		},
		closed: channel.closed,
		channel,
		send(type, payload) {
			if (type === 'pull' && !('lastBurstId' in payload)) {
				payload = { ...payload, lastBurstId: latestBurstId(channel.messages) };
			}
			return channel.send(type, payload);
		},
		sendRaw(data) {
			channel.ws.send(data);
		},
		async next(type, match) {
			const found = await channel.next(type, (m) => !consumed.has(m) && (!match || match(m)));
			consumed.add(found);
			return found;
		}
	};
}

/** The `burstId` of the latest frame that ended a pull's answer, or null before any. */
export function latestBurstId(received: WorkspaceMessage[]): string | null {
	for (let i = received.length - 1; i >= 0; i--) {
		const frame = received[i];
		if ((frame.type === 'events' || frame.type === 'reset') && frame.payload.burstId !== undefined)
			return frame.payload.burstId;
	}
	return null;
}

/**
 * Creates docs and tasks through the event log (a text opens only for one that exists): `textIds` are
 * text ids, doc:<id> or task:<id>. Pushes from its own socket and returns once they are logged.
 */
export async function createItems(workspaceId: string, token: string, textIds: string[]): Promise<void> {
	const socket = await connect(workspaceId, token);
	const hello = (await socket.next('hello')).payload;
	const clientId = crypto.randomUUID();
	const events = textIds.map((textId, i) => {
		const [kind, id] = textId.split(':');
		const args =
			kind === 'doc' ? { id, title: id, body: '' } : { id, title: id, status: 'todo', order: i + 1, assignee: null };
		return { name: `${kind}.created`, args, clientId, clientSeq: i + 1, at: Date.now() };
	});
	socket.send('push', { parent: hello.head, events: events as never });
	await socket.next('events');
	socket.ws.close(1000);
}
