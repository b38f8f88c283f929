import type { SwarmStore } from './storage';

/**
 * Handler invocations by kind (`wake.<kind>` counters in the coordinator's SQLite): how the bench shows
 * that heartbeats answered by auto-response never wake the object. Nothing is counted until the swarm
 * exists (init): a stub for an id with no swarm behind it must not leave counters behind (the routes
 * check D1 first; this keeps a stray stub from writing anything).
 */
export class WakeCounter {
	private counting: boolean;

	constructor(private readonly store: SwarmStore) {
		this.counting = store.getMeta('swarmId') !== null;
	}

	/** The swarm was just created: count from now on. */
	start(): void {
		this.counting = true;
	}

	count(kind: 'start' | 'rpc' | 'fetch' | 'message' | 'close' | 'alarm'): void {
		if (this.counting) this.store.bump(`wake.${kind}`);
	}
}
