/**
 * Device and job lifecycle timings, and the pure decision of when the coordinator's one alarm should next
 * fire. The alarm is the only timer a hibernating Durable Object has (no setInterval), so every periodic
 * duty (dashboard broadcast, liveness sweep, chunk timeouts, cleanup) is folded into it.
 */

/** Dashboards get a broadcast (a delta, or a keyframe) this often while at least one is connected. */
export const BROADCAST_MS = 2_000;
/**
 * At least every this many broadcasts (60 s) the broadcast is a keyframe. Deltas are exact and a missed one
 * is seen by its tick, so this is the safety net for what ticks cannot see (a dashboard that applied
 * something wrongly): it bounds how long such a dashboard stays wrong to a minute, while costing about
 * 1/30 of a keyframe per broadcast.
 */
export const KEYFRAME_EVERY = 30;
/**
 * After 60 s without a sign of life the device counts as offline. Browsers ping every PING_INTERVAL_MS
 * (25 s, $lib/protocol/heartbeat), so that is two missed pings plus 10 s of slack: one ping lost or late
 * never marks a live device offline.
 */
export const OFFLINE_AFTER_MS = 60_000;
/**
 * How often the liveness sweep runs while devices are connected. Offline detection lands within
 * 60–75 s, and with 1,000 devices that is 240 wake-ups an hour in total (0.24 per device-hour).
 */
export const SWEEP_MS = 15_000;
/** A chunk not answered within this is given to another device (slow phones, lost tabs). */
export const CHUNK_TIMEOUT_MS = 60_000;
/** A chunk handed out this many times without a result fails its job (it may crash devices). */
export const MAX_ATTEMPTS = 5;
/** Devices offline (or gone) this long are deleted; they can rejoin with a new invite. */
export const CLEANUP_AFTER_MS = 24 * 60 * 60 * 1000;
/** Expired tokens are kept a week for the owner's list, then deleted. */
export const TOKEN_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export interface AlarmInputs {
	now: number;
	dashboards: number;
	/** Connected device sockets, or devices still marked online (to sweep after a restart). */
	devices: number;
	earliestChunkDeadline: number | null;
	oldestInactiveSince: number | null;
}

/** When the alarm should next run, or null when nothing needs it (so it stops rescheduling itself). */
export function nextAlarmAt(i: AlarmInputs): number | null {
	const due: number[] = [];
	if (i.dashboards > 0) due.push(i.now + BROADCAST_MS);
	if (i.devices > 0) due.push(i.now + SWEEP_MS);
	if (i.earliestChunkDeadline !== null) due.push(i.earliestChunkDeadline);
	if (i.oldestInactiveSince !== null) due.push(i.oldestInactiveSince + CLEANUP_AFTER_MS);
	if (due.length === 0) return null;
	// Never in the past: a deadline that already passed is handled by the alarm that is about to run.
	return Math.max(i.now + 1, Math.min(...due));
}

/** Last sign of life: the newest of the runtime's ping/pong timestamp, the last message and the connect time. */
export function lastSeen(autoResponseAt: Date | null, lastMessageAt: number, connectedAt: number): number {
	return Math.max(autoResponseAt?.getTime() ?? 0, lastMessageAt, connectedAt);
}

export function isStale(lastSeenAt: number, now: number): boolean {
	return now - lastSeenAt > OFFLINE_AFTER_MS;
}
