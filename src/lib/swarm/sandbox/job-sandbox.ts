/**
 * The page's handle on the job sandbox (/swarm/sandbox, host-script.ts): a hidden iframe with an opaque
 * origin in which every call of a job module's export runs in its own Web Worker with no network, no
 * storage and no access to this page, and is stopped after its time limit. Devices run chunks here
 * (several at once: one worker each); the owner's dashboard runs split() and merge() here too.
 */
export type SandboxAnswer =
	{ ok: true; value: unknown; cpuMs: number } | { ok: false; error: string; timedOut: boolean };

type HostReply = {
	type?: 'ready';
	id?: number;
	ok?: boolean;
	json?: string;
	cpuMs?: number;
	error?: string;
	timedOut?: boolean;
};

/** On top of a call's own limit: the sandbox stops the worker itself; this only covers a sandbox that died. */
const GRACE_MS = 5_000;

export class JobSandbox {
	private readonly frame: HTMLIFrameElement;
	private readonly ready: Promise<void>;
	private next = 1;
	// Calls waiting for their answer.
	private readonly waiting = new Map<number, (answer: SandboxAnswer) => void>();
	private readonly onMessage: (event: MessageEvent) => void;

	constructor(src = '/swarm/sandbox') {
		this.frame = document.createElement('iframe');
		this.frame.src = src;
		this.frame.title = 'Job sandbox';
		// The route's CSP sandboxes it too; the attribute makes the opaque origin hold even before it loads.
		this.frame.setAttribute('sandbox', 'allow-scripts');
		this.frame.hidden = true;
		this.frame.dataset.testid = 'job-sandbox';
		let ready: () => void;
		this.ready = new Promise((resolve) => (ready = resolve));
		this.onMessage = (event: MessageEvent) => {
			if (event.source !== this.frame.contentWindow) return;
			const reply = event.data as HostReply;
			if (reply?.type === 'ready') return ready();
			if (typeof reply?.id !== 'number') return;
			const done = this.waiting.get(reply.id);
			this.waiting.delete(reply.id);
			done?.(answerOf(reply));
		};
		window.addEventListener('message', this.onMessage);
		document.body.appendChild(this.frame);
	}

	/**
	 * Calls `fn(...args)` of the module `code` in a fresh worker; the answer is JSON-parsed data, or why not
	 * (it threw, returned nothing JSON can hold, or ran past `timeoutMs` and was terminated). `signal` aborts
	 * the call (the worker is terminated) and answers it as failed.
	 */
	async call(
		code: string,
		fn: string,
		args: unknown[],
		timeoutMs: number,
		signal?: AbortSignal
	): Promise<SandboxAnswer> {
		await this.ready;
		const id = this.next++;
		return new Promise<SandboxAnswer>((resolve) => {
			const settle = (answer: SandboxAnswer) => {
				clearTimeout(watchdog);
				signal?.removeEventListener('abort', abort);
				this.waiting.delete(id);
				resolve(answer);
			};
			const abort = () => {
				this.frame.contentWindow?.postMessage({ type: 'abort', id }, '*');
				settle({ ok: false, error: 'Stopped.', timedOut: false });
			};
			const watchdog = setTimeout(
				() => settle({ ok: false, error: 'The sandbox did not answer.', timedOut: true }),
				timeoutMs + GRACE_MS
			);
			this.waiting.set(id, settle);
			if (signal?.aborted) return abort();
			signal?.addEventListener('abort', abort);
			this.frame.contentWindow?.postMessage({ type: 'call', id, code, fn, args, timeoutMs }, '*');
		});
	}

	destroy(): void {
		window.removeEventListener('message', this.onMessage);
		for (const done of this.waiting.values()) done({ ok: false, error: 'Stopped.', timedOut: false });
		this.waiting.clear();
		this.frame.remove();
	}
}

function answerOf(reply: HostReply): SandboxAnswer {
	if (reply.ok && typeof reply.json === 'string') {
		try {
			return { ok: true, value: JSON.parse(reply.json) as unknown, cpuMs: Number(reply.cpuMs) || 0 };
		} catch {
			return { ok: false, error: 'The job answered something that is not JSON.', timedOut: false };
		}
	}
	return {
		ok: false,
		error: String(reply.error ?? 'The job failed.').slice(0, 200),
		timedOut: reply.timedOut === true
	};
}
