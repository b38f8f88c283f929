/**
 * The engine's side of "one pull burst outstanding per socket" (PULL_BUSY_RETRY_MS in the protocol):
 * a pull stays open from being sent until the frame that ends its answer (the last page of its burst, or
 * a `reset` answering it) arrives with a `burstId`; a pull wanted meanwhile waits for that and then goes
 * out carrying the id, which proves to the server that the answer was read. So the server never sees two
 * pulls open on one socket from us. State is per socket: `reset()` on every (re)connect.
 */
export class PullGate {
	private open = false;
	private wanted = false;
	private lastBurstId: string | null = null;
	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	private readonly sendPull: (lastBurstId: string | null) => void;

	constructor(sendPull: (lastBurstId: string | null) => void) {
		this.sendPull = sendPull;
	}

	/** Sends a pull now, or once the open one has been answered. */
	request(): void {
		if (this.open) {
			this.wanted = true;
			return;
		}
		this.open = true;
		this.wanted = false;
		this.sendPull(this.lastBurstId);
	}

	/** The frame that ends a pull's answer arrived, carrying `burstId`: the next pull may go. */
	answered(burstId: string): void {
		this.lastBurstId = burstId;
		this.open = false;
	}

	/** Sends the pull that was asked for while the answered one was open, if any. */
	sendWanted(): void {
		if (this.wanted) this.request();
	}

	/** The server refused the pull (a rate limit, or a race): nothing is open; `retry` runs after the wait. */
	refused(retryAfterMs: number, retry: () => void): void {
		this.open = false;
		this.clearTimer();
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			retry();
		}, retryAfterMs);
	}

	reset(): void {
		this.clearTimer();
		this.open = false;
		this.wanted = false;
		this.lastBurstId = null;
	}

	private clearTimer() {
		if (this.retryTimer !== null) clearTimeout(this.retryTimer);
		this.retryTimer = null;
	}
}
