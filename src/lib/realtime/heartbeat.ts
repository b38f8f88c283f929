import { PING_INTERVAL_MS, PONG_TIMEOUT_MS } from '$lib/protocol/heartbeat';

/**
 * Detects half-open connections, which TCP alone may not notice for minutes (a laptop lid closed, a
 * phone switching networks): while started, it pings every `intervalMs`, and when a ping goes
 * unanswered for `timeoutMs` it stops and calls `onDead` (the client then reconnects). Independent of
 * the socket library, so it is tested against a real object's auto-response.
 */
export class Heartbeat {
	private interval: ReturnType<typeof setInterval> | undefined;
	private deadline: ReturnType<typeof setTimeout> | undefined;

	constructor(
		private readonly ping: () => void,
		private readonly onDead: () => void,
		private readonly intervalMs = PING_INTERVAL_MS,
		private readonly timeoutMs = PONG_TIMEOUT_MS
	) {}

	/** Call when the socket opens (restarts the schedule). */
	start() {
		this.stop();
		this.interval = setInterval(() => this.beat(), this.intervalMs);
	}

	/** Call when the socket closes. */
	stop() {
		clearInterval(this.interval);
		clearTimeout(this.deadline);
		this.interval = this.deadline = undefined;
	}

	/** Call when a "pong" arrives. */
	pong() {
		clearTimeout(this.deadline);
		this.deadline = undefined;
	}

	private beat() {
		if (this.deadline) return; // the previous ping is still waiting for its answer
		this.ping();
		this.deadline = setTimeout(() => {
			this.stop();
			this.onDead();
		}, this.timeoutMs);
	}
}
