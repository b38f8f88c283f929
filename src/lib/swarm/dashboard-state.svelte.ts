import { SvelteMap } from 'svelte/reactivity';
import type { ServerMessage } from '$lib/protocol/channel';
import type { DeviceView, InviteTokenView, JobView, LogLine, ThroughputPoint } from '$lib/protocol/swarm';
import { swarmChannel, type SnapshotPayload, type SwarmChannel, type TilePayload } from '$lib/protocol/swarm-channel';
import { openChannel, type ChannelHandle } from '$lib/realtime/open-channel.svelte';
import { addSample, type Sample } from './job-progress';

/** Log lines kept in the page (the coordinator keeps its own bounded history). */
const PAGE_LOG_LINES = 200;

/**
 * The owner's live view of a swarm over the swarm channel (openChannel: validated frames, heartbeat,
 * reconnects, one connection status): applies full snapshots and deltas from the coordinator and hands
 * fractal tiles to whoever draws them.
 */
export class DashboardState {
	/** The socket, once the codec has loaded (its `status` is what ConnectionBadge shows). */
	channel: ChannelHandle<SwarmChannel> | null = $state(null);
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
			// Tiles sent while we were away come back on request; the first frame is a full snapshot.
			onOpen: () => this.requestedImages.clear(),
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
	 * Asks for a full snapshot now (after creating or revoking an invite, so the list shows it at once). While
	 * the socket is down there is nothing to ask: the reconnect's first frame is a full snapshot anyway.
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
			case 'snapshot':
				return this.applySnapshot(message.payload);
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

	private applySnapshot(snapshot: SnapshotPayload) {
		if (snapshot.full) this.devices.clear();
		for (const device of snapshot.devices) this.devices.set(device.id, device);
		this.jobs = snapshot.jobs;
		for (const job of snapshot.jobs) {
			if (job.status === 'running')
				this.progress.set(job.id, addSample(this.progress.get(job.id) ?? [], { at: snapshot.at, done: job.done }));
			else this.progress.delete(job.id);
		}
		this.throughput = snapshot.throughput;
		if (snapshot.invites) this.invites = snapshot.invites;
		if (snapshot.full) this.log = snapshot.log;
		else if (snapshot.log.length)
			this.log = [...this.log, ...snapshot.log.filter((l) => l.seq > (this.log.at(-1)?.seq ?? 0))];
		if (this.log.length > PAGE_LOG_LINES) this.log = this.log.slice(-PAGE_LOG_LINES);
	}
}
