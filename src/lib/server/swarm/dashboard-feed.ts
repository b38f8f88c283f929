import type { SwarmClientMessage, TilePayload } from '$lib/protocol/swarm-channel';
import { MemoryTokenBuckets, type BucketLimit } from '$lib/server/realtime/token-bucket';
import { deltaBetween } from './dashboard-delta';
import { FRAME_JSON_BYTES, jsonBytes, keyframeParts, readDashboard, type DashboardRows } from './dashboard-rows';
import { KEYFRAME_EVERY } from './lifecycle';
import type { SwarmStore } from './storage';
import type { SwarmSockets } from './swarm-sockets';

/** Refreshes answered at once: a burst of 5, then one per 2 s (the broadcast's own pace). */
const REFRESH_LIMIT: BucketLimit = { burst: 5, windowMs: 10_000 };
const REFRESH_KEY = 'refresh';

/** Broadcasts of one kind and the time spent building and sending them (for bench:swarm). */
export interface FeedTiming {
	count: number;
	ms: number;
}

/**
 * The owner's dashboards' stream (swarm-dashboard.ts): every broadcast moves it one tick, sending every
 * dashboard the delta from the state of the last broadcast (the baseline, which every dashboard on the
 * stream holds) to the state now, or a keyframe of the state now. A keyframe goes out when the stream
 * has no baseline (the first dashboard, or the object restarted and lost it: it lives in memory), every
 * KEYFRAME_EVERY broadcasts, and when a delta would not fit in a frame. A dashboard that connects or asks
 * (`refresh`, after a gap) moves the stream too: it gets a keyframe of the new tick, the others its delta.
 */
export class DashboardFeed {
	private baseline: DashboardRows | null = null;
	private tick = 0;
	private keyframeTick = 0;
	readonly timing: { deltas: FeedTiming; keyframes: FeedTiming } = {
		deltas: { count: 0, ms: 0 },
		keyframes: { count: 0, ms: 0 }
	};

	/** Refreshes answered at once (all dashboards are the owner's, so one budget for the feed). */
	private readonly refreshes = new MemoryTokenBuckets();
	/** Dashboards that asked past the budget: the next broadcast sends each a keyframe. */
	private readonly owed = new Set<WebSocket>();

	constructor(
		private readonly store: SwarmStore,
		private readonly sockets: SwarmSockets
	) {}

	/** A keyframe to one dashboard (it connected, or asked); `seq` is the request it answers. */
	sendKeyframe(ws: WebSocket, now: number, seq = 0): void {
		this.advance(now, { ws, seq });
	}

	answer(ws: WebSocket, message: SwarmClientMessage<'dashboard'>, now: number): void {
		if (message.type === 'refresh') {
			// Each refresh costs a keyframe and moves every other dashboard a tick: past the budget, the
			// asker's keyframe waits for the next broadcast (one keyframe, however many it asked for).
			if (this.refreshes.take(REFRESH_KEY, REFRESH_LIMIT, now) === 0) return this.sendKeyframe(ws, now, message.seq);
			this.owed.add(ws);
			return;
		}
		for (const tile of tileFrames(this.store, message.payload.jobId)) this.sockets.send(ws, 'tile', tile, message.seq);
	}

	/** The alarm's broadcast, to every dashboard, each frame encoded once. */
	broadcast(now: number): void {
		if (this.sockets.dashboards().length === 0) {
			// Nobody follows the stream: the next dashboard starts it again with a keyframe.
			this.baseline = null;
			this.owed.clear();
			return;
		}
		this.advance(now, null);
		this.store.bump('broadcasts');
	}

	private advance(now: number, requester: { ws: WebSocket; seq: number } | null): void {
		const started = performance.now();
		// Cleared until every frame of this tick is out: if building or sending one throws, the next
		// broadcast is a keyframe rather than a delta from a state some dashboards may have moved past.
		const base = this.baseline;
		this.baseline = null;
		const current = readDashboard(this.store, now, base);
		const tick = ++this.tick;
		const except = requester?.ws;
		let keyframe = requester !== null;
		if (this.sockets.dashboards().some((ws) => ws !== except)) {
			const due = requester === null && tick - this.keyframeTick >= KEYFRAME_EVERY;
			const delta = base && !due ? deltaBetween(base, current, tick) : null;
			if (delta && jsonBytes(delta) <= FRAME_JSON_BYTES) {
				this.sockets.toDashboards('delta', delta, except);
			} else {
				for (const part of keyframeParts(current, tick)) this.sockets.toDashboards('keyframe', part, except);
				this.keyframeTick = tick;
				keyframe = true;
			}
		} else {
			// The requester is the whole stream.
			this.keyframeTick = tick;
		}
		if (requester) {
			for (const part of keyframeParts(current, tick)) this.sockets.send(requester.ws, 'keyframe', part, requester.seq);
		}
		if (requester === null && this.owed.size > 0) {
			const open = new Set(this.sockets.dashboards());
			for (const ws of this.owed)
				if (open.has(ws)) for (const part of keyframeParts(current, tick)) this.sockets.send(ws, 'keyframe', part);
			this.owed.clear();
		}
		this.baseline = current;
		const timing = keyframe ? this.timing.keyframes : this.timing.deltas;
		timing.count++;
		timing.ms += performance.now() - started;
	}
}

/** Every finished tile of a fractal job, for a dashboard that connected after they were painted. */
function tileFrames(store: SwarmStore, jobId: string): TilePayload[] {
	return store
		.tiles(jobId)
		.flatMap(({ task, pixels }) =>
			task.kind === 'mandelbrot' ? [{ jobId, x: task.x, y: task.y, w: task.w, h: task.h, pixels }] : []
		);
}
