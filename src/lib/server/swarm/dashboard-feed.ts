import type { SwarmClientMessage } from '$lib/protocol/swarm-channel';
import { buildSnapshot, shouldSendFull, splitSnapshot, tileFrames } from './snapshot';
import type { SwarmStore } from './storage';
import type { SwarmSockets } from './swarm-sockets';

/** What the owner's dashboards get: a full snapshot on connect and on request, tiles, the periodic broadcast. */
export class DashboardFeed {
	constructor(
		private readonly store: SwarmStore,
		private readonly sockets: SwarmSockets
	) {}

	/** A full snapshot to one dashboard (it connected, or asked); `seq` is the request it answers. */
	sendFull(ws: WebSocket, now: number, seq = 0): void {
		for (const part of splitSnapshot(buildSnapshot(this.store, this.context(now, true)))) {
			this.sockets.send(ws, 'snapshot', part, seq);
		}
	}

	answer(ws: WebSocket, message: SwarmClientMessage<'dashboard'>, now: number): void {
		if (message.type === 'refresh') return this.sendFull(ws, now, message.seq);
		for (const tile of tileFrames(this.store, message.payload.jobId)) this.sockets.send(ws, 'tile', tile, message.seq);
	}

	/** The alarm's broadcast: a delta (or every FULL_SNAPSHOT_EVERY-th time a full one), each frame encoded once. */
	broadcast(now: number): void {
		if (this.sockets.dashboards().length === 0) return;
		const snapshot = buildSnapshot(this.store, this.context(now, shouldSendFull(this.store)), true);
		for (const part of splitSnapshot(snapshot)) this.sockets.toDashboards('snapshot', part);
		this.store.bump('broadcasts');
	}

	private context(now: number, full: boolean) {
		return { now, full, swarmId: this.store.getMeta('swarmId') ?? '', name: this.store.getMeta('name') ?? '' };
	}
}
