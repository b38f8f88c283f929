import { WebSocket as ReconnectingSocket } from 'partysocket';
import { SvelteMap } from 'svelte/reactivity';
import {
	HEARTBEAT_INTERVAL_MS,
	type DashboardMessage,
	type DashboardServerMessage,
	type DeviceView,
	type InviteTokenView,
	type JobView,
	type LogLine,
	type ThroughputPoint,
	type TileFrame
} from '$lib/protocol/swarm';

/** Log lines kept in the page (the coordinator keeps its own bounded history). */
const PAGE_LOG_LINES = 200;

/**
 * The owner's live view of a swarm: applies full snapshots and deltas from the coordinator and hands
 * fractal tiles to whoever draws them.
 */
export class DashboardState {
	status = $state<'connecting' | 'live' | 'reconnecting'>('connecting');
	devices = new SvelteMap<string, DeviceView>();
	jobs: JobView[] = $state([]);
	log: LogLine[] = $state([]);
	throughput: ThroughputPoint[] = $state([]);
	/** The swarm's newest invites with their use counts, as the coordinator last sent them. */
	invites: InviteTokenView[] = $state([]);
	lastError = $state('');
	/** Tiles received per job (the canvas keeps the pixels). */
	tileCounts = new SvelteMap<string, number>();

	private readonly socket: ReconnectingSocket;
	private readonly heartbeat: ReturnType<typeof setInterval>;
	// Bookkeeping, not UI state: plain collections on purpose.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private tileListeners = new Set<(tile: TileFrame) => void>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private requestedImages = new Set<string>();
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private seenTiles = new Set<string>();

	constructor(swarmId: string) {
		const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
		this.socket = new ReconnectingSocket(`${protocol}//${location.host}/swarm/${swarmId}/ws`);
		this.socket.addEventListener('open', () => {
			this.status = 'live';
			// Tiles sent while we were away come back on request.
			this.requestedImages.clear();
		});
		this.socket.addEventListener('close', () => (this.status = 'reconnecting'));
		this.socket.addEventListener('message', (event: MessageEvent<string>) => {
			if (event.data !== 'pong') this.apply(JSON.parse(event.data) as DashboardServerMessage);
		});
		this.heartbeat = setInterval(() => {
			if (this.socket.readyState === WebSocket.OPEN) this.socket.send('ping');
		}, HEARTBEAT_INTERVAL_MS);
	}

	get sortedDevices(): DeviceView[] {
		const order = { online: 0, offline: 1, left: 2, revoked: 3 };
		return [...this.devices.values()].sort((a, b) => order[a.status] - order[b.status] || b.joinedAt - a.joinedAt);
	}

	onTile(listener: (tile: TileFrame) => void): () => void {
		this.tileListeners.add(listener);
		return () => this.tileListeners.delete(listener);
	}

	/** Asks once per connection for every finished tile of a fractal job. */
	requestImage(jobId: string) {
		if (this.requestedImages.has(jobId) || this.socket.readyState !== WebSocket.OPEN) return;
		this.requestedImages.add(jobId);
		this.send({ type: 'job-image', jobId });
	}

	/**
	 * Asks for a full snapshot now (after creating or revoking an invite, so the list shows it at once). While
	 * the socket is down there is nothing to ask: the reconnect's first frame is a full snapshot anyway.
	 */
	refresh() {
		if (this.socket.readyState === WebSocket.OPEN) this.send({ type: 'refresh' });
	}

	close() {
		clearInterval(this.heartbeat);
		this.socket.close();
	}

	private apply(message: DashboardServerMessage) {
		if (message.type === 'error') {
			this.lastError = message.message;
			return;
		}
		if (message.type === 'tile') {
			const key = `${message.jobId}:${message.x}:${message.y}`;
			if (!this.seenTiles.has(key)) {
				this.seenTiles.add(key);
				this.tileCounts.set(message.jobId, (this.tileCounts.get(message.jobId) ?? 0) + 1);
			}
			this.tileListeners.forEach((listener) => listener(message));
			return;
		}
		if (message.full) this.devices.clear();
		for (const device of message.devices) this.devices.set(device.id, device);
		this.jobs = message.jobs;
		this.throughput = message.throughput;
		if (message.invites) this.invites = message.invites;
		if (message.full) this.log = message.log;
		else if (message.log.length)
			this.log = [...this.log, ...message.log.filter((l) => l.seq > (this.log.at(-1)?.seq ?? 0))];
		if (this.log.length > PAGE_LOG_LINES) this.log = this.log.slice(-PAGE_LOG_LINES);
	}

	private send(message: DashboardMessage) {
		this.socket.send(JSON.stringify(message));
	}
}
