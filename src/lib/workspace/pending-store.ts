import { eventKey, type PendingEvent } from '$lib/protocol/workspace-messages';
import type { WorkspaceState } from '$lib/protocol/workspace-reducer';

/**
 * Where a client keeps what must survive a reload: its pending (not yet confirmed) events, in the order
 * they were made, and a snapshot of the confirmed state with its cursor so a reload pulls only what is
 * new. The browser uses IndexedDB (idb-store.ts); tests use the in-memory one below.
 */
export interface Snapshot {
	backendId: string;
	cursor: number;
	state: WorkspaceState;
}

export interface PendingStore {
	loadPending(workspaceId: string): Promise<PendingEvent[]>;
	addPending(workspaceId: string, event: PendingEvent): Promise<void>;
	removePending(workspaceId: string, events: PendingEvent[]): Promise<void>;
	loadSnapshot(workspaceId: string): Promise<Snapshot | null>;
	saveSnapshot(workspaceId: string, snapshot: Snapshot): Promise<void>;
	/** Drops everything kept for the workspace (access revoked: nothing of it may stay on the device). */
	forget(workspaceId: string): Promise<void>;
}

/** Keeps everything in memory: for tests and for browsers where IndexedDB is unavailable. */
export class MemoryPendingStore implements PendingStore {
	private pending = new Map<string, PendingEvent[]>();
	private snapshots = new Map<string, Snapshot>();

	async loadPending(workspaceId: string) {
		return [...(this.pending.get(workspaceId) ?? [])];
	}
	async addPending(workspaceId: string, event: PendingEvent) {
		this.pending.set(workspaceId, [...(this.pending.get(workspaceId) ?? []), event]);
	}
	async removePending(workspaceId: string, events: PendingEvent[]) {
		const gone = new Set(events.map(eventKey));
		this.pending.set(
			workspaceId,
			(this.pending.get(workspaceId) ?? []).filter((e) => !gone.has(eventKey(e)))
		);
	}
	async loadSnapshot(workspaceId: string) {
		return this.snapshots.get(workspaceId) ?? null;
	}
	async saveSnapshot(workspaceId: string, snapshot: Snapshot) {
		this.snapshots.set(workspaceId, structuredClone(snapshot));
	}
	async forget(workspaceId: string) {
		this.pending.delete(workspaceId);
		this.snapshots.delete(workspaceId);
	}
}
