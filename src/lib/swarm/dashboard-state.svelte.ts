import { SvelteMap } from 'svelte/reactivity';
import type { ServerMessage } from '$lib/protocol/channel';
import type { DeviceView, InviteTokenView, JobView, LogLine, ThroughputPoint } from '$lib/protocol/swarm';
import { swarmChannel, type SwarmChannel, type TilePayload } from '$lib/protocol/swarm-channel';
import { openChannel, type ChannelHandle } from '$lib/realtime/open-channel.svelte';
import { DashboardStream, type DashboardModel, type Outcome } from './dashboard-stream';
import { addSample, type Sample } from './job-progress';

/**
 * The owner's live view of a swarm over the swarm channel (openChannel: validated frames, heartbeat,
 * reconnects, one connection status): the model the dashboard stream's keyframes and deltas keep
 * (dashboard-stream.ts), the jobs' progress, and fractal tiles for whoever draws them.
 */
export class DashboardState implements DashboardModel {
	/** The socket, once the codec has loaded (its `status` is what ConnectionBadge shows). */
	channel: ChannelHandle<SwarmChannel> | null = $state(null);
	at = $state(0);
	swarm: { id: string; name: string } | null = $state(null);
	devices = new SvelteMap<string, DeviceView>();
	jobs: JobView[] = $state([]);
	log: LogLine[] = $state([]);
	throughput: ThroughputPoint[] = $state([]);
	/** The swarm's newest invites with their use counts, as the coordinator last sent them. */
	invites: InviteTokenView[] = $state([]);
	lastError = $state('');
	/** (time, chunks done) per live job, from the snapshots: its rate and ETA (job-progress.ts). */
	progress = new SvelteMap<string, Sample[]>();
	/** Tiles received per job (the canvas keeps the pixels). */
	tileCounts = new SvelteMap<string, number>();

	private closed = false;
	private readonly stream = new DashboardStream(this, () => this.refresh());
	// Bookkeeping, not UI state: plain collections on purpose.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private tileListeners = new Set<(tile: TilePayload) => void>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private requestedImages = new Set<string>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private seenTiles = new Set<string>();

	constructor(swarmId: string) {
		openChannel({
			channel: swarmChannel,
			path: () => `/swarm/${swarmId}/ws`,
			// Tiles sent while we were away come back on request; the first frame is a keyframe.
			onOpen: () => {
				this.requestedImages.clear();
				this.stream.reset();
			},
			onMessage: (message) => this.apply(message),
			onInvalid: (error) => (this.lastError = error.message)
		}).then((handle) => {
			if (this.closed) handle.close();
			else this.channel = handle;
		});
	}

	/** Devices taking part (online, then offline), newest first: the owner's live table. */
	get liveDevices(): DeviceView[] {
		const order = { online: 0, offline: 1, left: 2, revoked: 3 };
		return this.newestFirst((d) => d.status === 'online' || d.status === 'offline').sort(
			(a, b) => order[a.status] - order[b.status]
		);
	}

	/** Devices that left or were disconnected, newest first: folded into "Past devices". */
	get pastDevices(): DeviceView[] {
		return this.newestFirst((d) => d.status === 'left' || d.status === 'revoked');
	}

	private newestFirst(keep: (device: DeviceView) => boolean): DeviceView[] {
		return [...this.devices.values()].filter(keep).sort((a, b) => b.joinedAt - a.joinedAt);
	}

	onTile(listener: (tile: TilePayload) => void): () => void {
		this.tileListeners.add(listener);
		return () => this.tileListeners.delete(listener);
	}

	/** Asks once per connection for every finished tile of a fractal job. */
	requestImage(jobId: string) {
		if (this.requestedImages.has(jobId)) return;
		if (this.channel?.send('job-image', { jobId })) this.requestedImages.add(jobId);
	}

	/**
	 * Asks for a keyframe now (after creating or revoking an invite, so the list shows it at once, or after a
	 * gap in the deltas). While the socket is down there is nothing to ask: the reconnect's first frame is a
	 * keyframe anyway.
	 */
	refresh() {
		this.channel?.send('refresh', {});
	}

	close() {
		this.closed = true;
		this.channel?.close();
	}

	private apply(message: ServerMessage<SwarmChannel>) {
		switch (message.type) {
			case 'error':
				this.lastError = message.payload.message;
				return;
			case 'tile':
				return this.addTile(message.payload);
			case 'keyframe':
				return this.progressed(this.stream.keyframe(message.payload));
			case 'delta':
				return this.progressed(this.stream.delta(message.payload));
		}
		// Device frames never reach a dashboard socket.
	}

	private addTile(tile: TilePayload) {
		const key = `${tile.jobId}:${tile.x}:${tile.y}`;
		if (!this.seenTiles.has(key)) {
			this.seenTiles.add(key);
			this.tileCounts.set(tile.jobId, (this.tileCounts.get(tile.jobId) ?? 0) + 1);
		}
		this.tileListeners.forEach((listener) => listener(tile));
	}

	/** A sample of each running job's progress per state the stream reached (job-progress.ts: rate, ETA). */
	private progressed(outcome: Outcome) {
		if (outcome !== 'applied') return;
		for (const job of this.jobs) {
			if (job.status === 'running')
				this.progress.set(job.id, addSample(this.progress.get(job.id) ?? [], { at: this.at, done: job.done }));
			else this.progress.delete(job.id);
		}
	}
}
