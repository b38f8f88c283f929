// CPU profiles for a benchmark's "where did the time go": the worker's isolate through wrangler dev's
// inspector (the port e2e/support/serve.mjs opens at port + 10000) and this Node process through
// node:inspector, both sampled around one call. Profiling slows what it watches, so a benchmark profiles
// a round of its own, never one it times.
import { Session } from 'node:inspector/promises';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
export interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/** Speaks the DevTools protocol to wrangler dev's inspector (one worker runtime behind it). */
class InspectorSocket {
	private nextId = 1;
	private pending = new Map<number, (result: unknown) => void>();
	private readonly ws: WebSocket;

	constructor(ws: WebSocket) {
		this.ws = ws;
		ws.addEventListener('message', (event) => {
			const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
			if (message.id !== undefined) this.pending.get(message.id)?.(message.result);
		});
	}

	static async open(port: number): Promise<InspectorSocket> {
		// wrangler's inspector proxy wants a local Origin (Node's WebSocket, an undici one, takes headers).
		const init = { headers: { origin: 'http://127.0.0.1' } } as unknown as string[];
		const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, init);
		await new Promise((resolve, reject) => {
			ws.addEventListener('open', resolve, { once: true });
			ws.addEventListener('error', reject, { once: true });
		});
		return new InspectorSocket(ws);
	}

	post<T>(method: string, params: object = {}): Promise<T> {
		const id = this.nextId++;
		return new Promise((resolve) => {
			this.pending.set(id, resolve as (result: unknown) => void);
			this.ws.send(JSON.stringify({ id, method, params }));
		});
	}

	close() {
		this.ws.close();
	}
}

/** Runs `run` with both profilers sampling (every 100 µs); returns its result and both profiles. */
export async function profiled<T>(
	inspectorPort: number,
	run: () => Promise<T>
): Promise<{ result: T; server: Profile; client: Profile }> {
	const server = await InspectorSocket.open(inspectorPort);
	const client = new Session();
	client.connect();
	for (const session of [server, client] as const) {
		await session.post('Profiler.enable');
		await session.post('Profiler.setSamplingInterval', { interval: 100 });
		await session.post('Profiler.start');
	}
	try {
		const result = await run();
		const [serverProfile, clientProfile] = await Promise.all([
			server.post<{ profile: Profile }>('Profiler.stop'),
			client.post('Profiler.stop') as Promise<{ profile: Profile }>
		]);
		return { result, server: serverProfile.profile, client: clientProfile.profile };
	} finally {
		server.close();
		client.disconnect();
	}
}

/** Milliseconds of samples per node, by node id. */
function selfTimes(profile: Profile): Map<number, number> {
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
	return self;
}

/** Where a profile's time went: self time per function (top `limit`), and time under each of `named`. */
export function summarize(profile: Profile, named: string[], limit = 12) {
	const self = selfTimes(profile);
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const label = (n: ProfileNode) =>
		`${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
	const selfByLabel = new Map<string, number>();
	for (const [id, ms] of self) {
		const key = label(byId.get(id)!);
		selfByLabel.set(key, (selfByLabel.get(key) ?? 0) + ms);
	}
	// Inclusive time of a function: every sample under one of its frames, counted once per sample.
	const under = new Map<string, number>(named.map((name) => [name, 0]));
	const walk = (id: number, inside: Set<string>) => {
		const node = byId.get(id)!;
		const here = named.includes(node.callFrame.functionName)
			? new Set([...inside, node.callFrame.functionName])
			: inside;
		const ms = self.get(id) ?? 0;
		for (const name of here) under.set(name, under.get(name)! + ms);
		for (const child of node.children ?? []) walk(child, here);
	};
	walk(profile.nodes[0].id, new Set());
	const top = [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, limit);
	const idle = [...selfByLabel].filter(([k]) => /^\((idle|program|garbage collector)\)/.test(k));
	return { top, under, idle };
}
