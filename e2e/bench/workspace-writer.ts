// The catch-up section's connections (workspace-catchup.ts): a checkout served with an account and a
// workspace of its own, the socket URL the page would build (a fresh token each time), and the writer
// that appends the events a reader then catches up on, speaking that checkout's own contract.
import { formPost } from './local-server.ts';
import type { Checkout, Frame } from './workspace-checkout.ts';

/** A checkout served on a port, with an account and a workspace of its own. */
export interface Target {
	checkout: Checkout;
	base: string;
	/** wrangler dev's inspector for the worker (serve.mjs: the port + 10000). */
	inspectorPort: number;
	/** The server's process group, whose CPU time is the server side's work. */
	serverGroup: number;
	cookie: string;
	workspaceId: string;
}

export async function createWorkspace(base: string, cookie: string): Promise<string> {
	const response = await formPost(base, '/workspace?/create', { name: 'bench' }, cookie);
	const id = /\/workspace\/([0-9a-f-]+)$/.exec(response.headers.get('location') ?? '')?.[1];
	if (!id) throw new Error(`create failed: ${response.status}`);
	return id;
}

/** A request for a workspace token, as the page makes it (the session cookie). */
export function tokenRequest(target: Target): Promise<Response> {
	return fetch(`${target.base}/api/workspace/token`, { headers: { cookie: target.cookie } });
}

/** The socket URL with `token`, or with a token fetched for it. */
export async function socketUrl(target: Target, token?: string): Promise<string> {
	token ??= ((await (await tokenRequest(target)).json()) as { token: string }).token;
	const ws = target.base.replace(/^http/, 'ws');
	return `${ws}/workspace/${target.workspaceId}/ws?token=${token}&v=${target.checkout.version}`;
}

export function opened(ws: WebSocket): Promise<unknown> {
	ws.binaryType = 'arraybuffer';
	return new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true });
		ws.addEventListener('error', reject, { once: true });
	});
}

/** The writer: pushes the log's events, one batch at a time, each acknowledged by its live echo. */
export class Writer {
	private ws!: WebSocket;
	private cursor = 0;
	private waiter: ((frame: Frame) => void) | null = null;
	private readonly target: Target;
	private nextClientSeq = 1;

	constructor(target: Target) {
		this.target = target;
	}

	async open(): Promise<void> {
		this.ws = new WebSocket(await socketUrl(this.target));
		this.ws.addEventListener('message', (event) => {
			const frame = this.target.checkout.wire.decodeServer(event.data as ArrayBuffer);
			if (frame.type === 'events' && frame.payload.events.length) {
				this.cursor = Math.max(this.cursor, frame.payload.events.at(-1).seq);
			}
			this.waiter?.(frame);
		});
		await opened(this.ws);
		// Only this writer writes, and it writes only once it is live: pull the (short) log until live.
		let lastBurstId: string | undefined;
		for (;;) {
			const answered = this.next((f) => f.type === 'events' && f.payload.burstId !== undefined);
			this.ws.send(
				this.target.checkout.wire.encodeClient('pull', { cursor: this.cursor, backendId: null, lastBurstId })
			);
			const page = (await answered).payload;
			if (!page.more) return;
			lastBurstId = page.burstId;
		}
	}

	private next(test: (f: Frame) => boolean): Promise<Frame> {
		return new Promise((resolve) => {
			this.waiter = (frame) => {
				if (!test(frame)) return;
				this.waiter = null;
				resolve(frame);
			};
		});
	}

	/** Appends `count` task.created events, in the protocol's largest batches. */
	async append(count: number): Promise<number> {
		const batch = this.target.checkout.pushMaxEvents;
		for (let done = 0; done < count; done += batch) {
			const events = Array.from({ length: Math.min(batch, count - done) }, () => {
				const clientSeq = this.nextClientSeq++;
				return {
					name: 'task.created' as const,
					args: {
						id: `bench-writer-${clientSeq}`,
						title: `Preloaded task number ${clientSeq} with a realistic title`,
						status: 'todo' as const,
						order: clientSeq,
						assignee: null
					},
					clientId: 'bench-writer',
					clientSeq,
					at: Date.now()
				};
			});
			const echoed = this.next((f) => f.type === 'events' && f.payload.live);
			this.ws.send(this.target.checkout.wire.encodeClient('push', { parent: this.cursor, events }));
			await echoed;
		}
		return this.cursor;
	}

	close() {
		this.ws.close(1000);
	}
}
