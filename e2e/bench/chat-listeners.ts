// The listening side of bench:chat: sockets spread over worker threads (chat-listener-thread.ts), driven
// from the main thread with bounded request/response calls (a thread that does not answer fails the
// run instead of hanging it).
import { Worker } from 'node:worker_threads';
import type { OpenRequest, ThreadRequest, ThreadStats } from './chat-listener-thread.ts';

export interface Recorded {
	/** (message number, arrival ms) pairs of every thread. */
	deliveries: Float64Array[];
	/** Summed over threads. */
	cpuMs: number;
	/** The busiest thread's event-loop utilisation. */
	maxElu: number;
	bytesRead: number;
	/** Sockets the server closed since they opened (over threads), and the first close's code and reason. */
	closed: number;
	firstClose: string;
}

const CALL_TIMEOUT_MS = 120_000;

export class ListenerPool {
	private nextId = 0;
	private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

	private readonly threads: Worker[];

	private constructor(threads: Worker[]) {
		this.threads = threads;
		for (const thread of threads) {
			thread.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
				const call = this.pending.get(id);
				this.pending.delete(id);
				if (error !== undefined) call?.reject(new Error(error));
				else call?.resolve(result);
			});
			thread.on('error', (error) => this.failAll(error));
			thread.on('exit', (code) => this.failAll(new Error(`a listener thread exited (${code})`)));
		}
	}

	static start(threads: number): ListenerPool {
		const url = new URL('./chat-listener-thread.ts', import.meta.url);
		return new ListenerPool(Array.from({ length: threads }, () => new Worker(url)));
	}

	get size() {
		return this.threads.length;
	}

	/** Opens the sockets, socket i on thread i mod threads; resolves with every socket's join time. */
	async open(request: OpenRequest): Promise<{ joinMs: number[]; extensions: string }> {
		const parts = this.threads.map((_, t) => request.cookies.filter((_, i) => i % this.threads.length === t));
		const concurrency = Math.max(1, Math.ceil(request.concurrency / this.threads.length));
		const results = (await Promise.all(
			this.threads.map((thread, t) =>
				parts[t]!.length === 0
					? { joinMs: [], extensions: '' }
					: this.call(thread, { op: 'open', ...request, cookies: parts[t]!, concurrency })
			)
		)) as { joinMs: number[]; extensions: string }[];
		return {
			joinMs: results.flatMap((r) => r.joinMs),
			extensions: results.find((r) => r.joinMs.length > 0)?.extensions ?? ''
		};
	}

	async record(): Promise<void> {
		await this.all({ op: 'record' });
	}

	/** Frames kept so far in this recording (an upper bound on deliveries). */
	async count(): Promise<number> {
		return ((await this.all({ op: 'count' })) as number[]).reduce((a, b) => a + b, 0);
	}

	async stop(): Promise<Recorded> {
		const parts = (await this.all({ op: 'stop' })) as { deliveries: Float64Array; stats: ThreadStats }[];
		return {
			deliveries: parts.map((p) => p.deliveries),
			cpuMs: parts.reduce((sum, p) => sum + p.stats.cpuMs, 0),
			maxElu: Math.max(...parts.map((p) => p.stats.elu)),
			bytesRead: parts.reduce((sum, p) => sum + p.stats.bytesRead, 0),
			closed: parts.reduce((sum, p) => sum + p.stats.closed, 0),
			firstClose: parts.find((p) => p.stats.closed > 0)?.stats.firstClose ?? ''
		};
	}

	/** `hard`: drop the connections at once rather than closing them after what is still queued. */
	async close(hard = false): Promise<void> {
		await this.all({ op: 'close', hard });
	}

	async terminate(): Promise<void> {
		this.threads.forEach((t) => t.removeAllListeners('exit'));
		await Promise.all(this.threads.map((t) => t.terminate()));
	}

	private all(request: ThreadRequest) {
		return Promise.all(this.threads.map((thread) => this.call(thread, request)));
	}

	private call(thread: Worker, request: ThreadRequest): Promise<unknown> {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`listener thread: no answer to ${request.op} within ${CALL_TIMEOUT_MS} ms`));
			}, CALL_TIMEOUT_MS);
			this.pending.set(id, {
				resolve: (v) => (clearTimeout(timer), resolve(v)),
				reject: (e) => (clearTimeout(timer), reject(e))
			});
			thread.postMessage({ id, request });
		});
	}

	private failAll(error: Error) {
		for (const call of this.pending.values()) call.reject(error);
		this.pending.clear();
	}
}
