import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { TokenBuckets, type BucketLimit } from '$lib/server/realtime/token-bucket';

/**
 * Each benchmark rebuilds the scheduling pool and writes a log line; a real re-run takes seconds of CPU on
 * the device and is rare, so one per 30 s is plenty and a flood cannot push real lines out of the log.
 */
export const BENCHMARK_LIMIT: BucketLimit = { burst: 1, windowMs: 30_000 };
/**
 * Every frame from one device. A fast device answering tiny chunks sends a few dozen a second; 600 per
 * 10 s (60 a second sustained, 600 at once) never slows real work and only stops a flood.
 */
export const FRAME_LIMIT: BucketLimit = { burst: 600, windowMs: 10_000 };

/**
 * Per-device message rate limits in the coordinator's SQLite (shared TokenBuckets, so they survive
 * hibernation). Refusals are error frames with retryAfterMs; the socket stays open.
 */
export class DeviceLimits {
	/** One table per limit (TokenBuckets prunes a table by one limit). */
	private readonly frames: TokenBuckets;
	private readonly benchmarks: TokenBuckets;

	constructor(storage: DurableObjectStorage) {
		this.frames = new TokenBuckets(storage, 'device_frame_rate');
		this.benchmarks = new TokenBuckets(storage, 'device_benchmark_rate');
	}

	/** Takes one frame from the device's budget, or throws `rate-limited`. */
	frame(deviceId: string, now: number): void {
		const wait = this.frames.take(deviceId, FRAME_LIMIT, now);
		if (wait > 0) throw new ProtocolError('rate-limited', `Too many messages: wait ${Math.ceil(wait / 1000)} s.`, wait);
	}

	/**
	 * Takes the device's benchmark token, or throws `rate-limited`. `onFirstRefusal` runs for at most one
	 * refusal per window (to log it once), not for every frame of a flood.
	 */
	benchmark(deviceId: string, now: number, onFirstRefusal: () => void): void {
		const wait = this.benchmarks.take(deviceId, BENCHMARK_LIMIT, now);
		if (wait === 0) return;
		if (this.benchmarks.take(`refused:${deviceId}`, BENCHMARK_LIMIT, now) === 0) onFirstRefusal();
		throw new ProtocolError(
			'rate-limited',
			`A benchmark was reported less than ${BENCHMARK_LIMIT.windowMs / 1000} s ago: wait ${Math.ceil(wait / 1000)} s.`,
			wait
		);
	}
}
