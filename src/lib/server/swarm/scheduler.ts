/**
 * Weighted chunk scheduling as pure functions, so the policy is testable without a Durable Object.
 *
 * Weight ∝ benchmark score. Each device also has a quota (max chunks in flight) that scales with its
 * score relative to the fastest device: a device twice as fast holds twice as many chunks, so in-flight
 * work and completion rate stay proportional and no device sits on a backlog it cannot finish.
 */

/** Chunks the fastest device may hold at once: enough to hide a round trip, few enough to reassign cheaply. */
export const MAX_IN_FLIGHT = 8;
/** Every benchmarked device gets at least one chunk at a time, however slow. */
export const MIN_IN_FLIGHT = 1;

export interface Candidate {
	id: string;
	score: number;
	inFlight: number;
	quota: number;
}

export function quotaFor(score: number, maxScore: number): number {
	if (!(score > 0) || !(maxScore > 0)) return MIN_IN_FLIGHT;
	return Math.min(MAX_IN_FLIGHT, Math.max(MIN_IN_FLIGHT, Math.round((MAX_IN_FLIGHT * score) / maxScore)));
}

/** Each device's share of new work: score / total score over the given (online, benchmarked) devices. */
export function weightsOf(devices: { id: string; score: number }[]): Map<string, number> {
	const total = devices.reduce((sum, d) => sum + Math.max(0, d.score), 0);
	return new Map(devices.map((d) => [d.id, total > 0 ? Math.max(0, d.score) / total : 0]));
}

/**
 * Splits `count` chunks among candidates in proportion to score, never past a device's free slots
 * (quota − inFlight). Water-filling: devices whose proportional share exceeds their free slots are filled
 * and the rest is re-split among the others; the final split uses largest remainders, so each device is
 * within one chunk of its exact share. Returns only devices that get at least one chunk.
 */
export function allocate(count: number, candidates: Candidate[]): Map<string, number> {
	const result = new Map<string, number>();
	let remaining = Math.max(0, Math.floor(count));
	let active = candidates.filter((c) => c.score > 0 && c.quota - c.inFlight > 0);

	while (remaining > 0 && active.length > 0) {
		const totalScore = active.reduce((sum, c) => sum + c.score, 0);
		const free = (c: Candidate) => c.quota - c.inFlight;
		const capped = active.filter((c) => (remaining * c.score) / totalScore >= free(c));
		if (capped.length > 0) {
			for (const c of capped) {
				const give = Math.min(free(c), remaining);
				if (give > 0) result.set(c.id, give);
				remaining -= give;
			}
			active = active.filter((c) => !capped.includes(c));
			continue;
		}
		// No one is capped: every exact share is below the device's free slots, so floor + 1 still fits.
		const shares = active.map((c) => ({ c, exact: (remaining * c.score) / totalScore }));
		let given = 0;
		for (const s of shares) {
			const base = Math.floor(s.exact);
			if (base > 0) result.set(s.c.id, base);
			given += base;
		}
		const leftover = remaining - given;
		shares
			.sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || b.c.score - a.c.score)
			.slice(0, leftover)
			.forEach((s) => result.set(s.c.id, (result.get(s.c.id) ?? 0) + 1));
		remaining = 0;
	}
	return result;
}

/**
 * A device's quota given its trust (trust-ledger.ts: 1, or halved per strike) and the chunks it runs at
 * once (its slots: each one past the first needs one more chunk in hand): at least one chunk.
 */
export function deviceQuota(score: number, maxScore: number, trust: number, slots: number): number {
	return Math.max(MIN_IN_FLIGHT, Math.round((quotaFor(score, maxScore) + Math.max(0, slots - 1)) * trust));
}
