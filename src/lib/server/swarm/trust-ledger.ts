import type { SwarmLog } from './swarm-sockets';
import type { SwarmStore } from './storage';
import type { VoteStore } from './vote-store';

/**
 * Trust from votes, after BOINC's validator and adaptive replication: a device whose result is outvoted
 * earns a strike, which halves the chunks it may hold; WINS_PER_PARDON agreeing results pardon one
 * strike; QUARANTINE_STRIKES strikes quarantine it (no more chunks). A liar is therefore caught by the
 * vote on its very first wrong result, and loses its share of the work before it can do much harm.
 */
export const QUARANTINE_STRIKES = 3;
export const WINS_PER_PARDON = 20;

export function strikes(won: number, lost: number): number {
	return Math.max(0, lost - Math.floor(won / WINS_PER_PARDON));
}

/** What a device's quota is multiplied by: 1 when trusted, halved per strike. */
export function trustFactor(won: number, lost: number): number {
	return 2 ** -strikes(won, lost);
}

/** Share of a device's votes it was on the agreeing side of, or null before any vote. */
export function agreementRate(won: number, lost: number): number | null {
	return won + lost === 0 ? null : won / (won + lost);
}

export class TrustLedger {
	constructor(
		private readonly store: SwarmStore,
		private readonly votes: VoteStore,
		private readonly log: SwarmLog
	) {}

	/** Records one decided chunk's votes; returns the devices quarantined by it (their work must move on). */
	settle(winners: string[], losers: string[]): string[] {
		for (const id of winners) {
			this.votes.recordVote(id, true);
			this.store.touchDevice(id);
		}
		const quarantined: string[] = [];
		for (const id of losers) {
			const tally = this.votes.recordVote(id, false);
			this.store.touchDevice(id);
			const name = this.store.device(id)?.name || 'a device';
			const count = strikes(tally.won, tally.lost);
			if (!tally.quarantined && count >= QUARANTINE_STRIKES) {
				this.votes.quarantine(id);
				this.store.touchDevice(id);
				quarantined.push(id);
				this.log('error', `${name} was outvoted ${tally.lost} times: quarantined, it gets no more chunks.`);
			} else if (!tally.quarantined) {
				this.log('warn', `${name} was outvoted (${count} strike${count === 1 ? '' : 's'}): it gets fewer chunks.`);
			}
		}
		return quarantined;
	}
}
