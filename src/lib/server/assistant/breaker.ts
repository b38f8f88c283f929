/**
 * A circuit breaker in front of the LLM provider: after `threshold` failed attempts in a row (5xx, network
 * errors, timeouts — not 429, which says "slow down" with its own Retry-After) it opens, and every call is
 * refused at once with the time left, instead of queueing people behind a provider that is down. After
 * `cooldownMs` it half-opens: one probe call is let through; its success closes the breaker, its failure
 * opens it for another cool-down.
 *
 * State lives in the isolate (one breaker per provider and model, see `breakerFor`), deliberately: the
 * breaker protects people from waiting on a dead provider, and every isolate finds out on its own after
 * `threshold` failures, so across N isolates at most N × threshold calls go to a dead provider per
 * cool-down. Sharing it through a Durable Object would add a round trip to every call and one object
 * every workspace contends on, to save a few failed calls.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
	threshold: number;
	cooldownMs: number;
	now?: () => number;
}

export class CircuitBreaker {
	private failures = 0;
	private openedAt: number | null = null;
	private probing = false;
	private readonly now: () => number;

	constructor(private readonly options: BreakerOptions) {
		this.now = options.now ?? Date.now;
	}

	get state(): BreakerState {
		if (this.openedAt === null) return 'closed';
		return this.now() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
	}

	/** 0 when a call may go out now (claiming the half-open probe), else the ms until it may. */
	admit(): number {
		const state = this.state;
		if (state === 'closed') return 0;
		if (state === 'open') return this.options.cooldownMs - (this.now() - this.openedAt!);
		if (this.probing) return 1_000; // one probe at a time; the others wait for its outcome
		this.probing = true;
		return 0;
	}

	success(): void {
		this.failures = 0;
		this.openedAt = null;
		this.probing = false;
	}

	failure(): void {
		this.probing = false;
		this.failures++;
		// A failed probe re-opens at once; a closed breaker opens at the threshold.
		if (this.openedAt !== null || this.failures >= this.options.threshold) this.openedAt = this.now();
	}
}

export const BREAKER_THRESHOLD = 5;
export const BREAKER_COOLDOWN_MS = 30_000;

const breakers = new Map<string, CircuitBreaker>();

/** This isolate's breaker for one endpoint and model. */
export function breakerFor(
	key: string,
	options: BreakerOptions = { threshold: BREAKER_THRESHOLD, cooldownMs: BREAKER_COOLDOWN_MS }
): CircuitBreaker {
	let breaker = breakers.get(key);
	if (!breaker) breakers.set(key, (breaker = new CircuitBreaker(options)));
	return breaker;
}
