/**
 * Whether a new message's fan-out may leave before its row commits, judged by how busy the room's fan-out
 * has been.
 *
 * Store-then-send (the INSERT first, so the output gate holds the broadcast until the commit) puts the
 * commit's wait in front of every listener. Under a heavy fan-out that wait pays: frames of the messages
 * handled while a commit is in flight queue behind it and leave together, which is how a ChatRoom
 * delivers ~2× what a bare broadcast object does at saturation. In a quiet room it is only latency
 * (bench:chat: p50 1.1–1.9× a bare broadcast's at light load). So a quiet room sends first and stores
 * second — the sender's own copy, its ack, still waits for the commit (ChatRoom.doSend) — and a busy room
 * stores first.
 *
 * "Busy" is the rate of deliveries (frames to sockets) over about the last second, an exponentially
 * decaying sum, so one large room with a few messages a second and a small room with many both count.
 */
export class FanoutPace {
	/** Deliveries per second, decayed to `at`. */
	private rate = 0;
	private at = 0;

	constructor(
		/** Above this many deliveries per second the room stores first (CHAT_EARLY_FANOUT_MAX_PER_S). */
		private readonly maxPerSecond: number,
		private readonly clock: () => number = Date.now
	) {}

	/** True while the recent fan-out is at most `maxPerSecond`: the next message may go out early. */
	quiet(): boolean {
		return this.decayed(this.clock()) <= this.maxPerSecond;
	}

	/** Counts a fan-out of `deliveries` frames, sent now. */
	record(deliveries: number): void {
		const now = this.clock();
		this.rate = this.decayed(now) + (deliveries * 1000) / DECAY_MS;
		this.at = now;
	}

	private decayed(now: number): number {
		return this.rate * Math.exp(-Math.max(0, now - this.at) / DECAY_MS);
	}
}

/**
 * Where a ChatRoom switches to store-first: bench:chat's ladder on a 2-core machine showed early fan-out
 * ahead below ~10,000 deliveries/s and store-first ahead from ~20,000 (N = 200 × 100 msg/s).
 */
export const EARLY_FANOUT_MAX_PER_S = 10_000;

/** The time constant of the decay: the rate is "deliveries over about the last second". */
const DECAY_MS = 1000;
