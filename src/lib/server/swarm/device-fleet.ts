import { CloseCode } from '$lib/protocol/close-codes';
import type { SwarmClientMessage } from '$lib/protocol/swarm-channel';
import type { ChunkOutput } from '$lib/protocol/swarm-jobs';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import type { DeviceLimits } from './device-limits';
import type { Dispatcher } from './dispatcher';
import { isStale, lastSeen } from './lifecycle';
import type { ChunkRow, SwarmStore } from './storage';
import type { SwarmLog, SwarmSockets } from './swarm-sockets';

/** The close reason a disconnected device's page shows (at most 123 bytes: a WebSocket close reason). */
export const DISCONNECTED_REASON = "The swarm's owner disconnected this device.";

/**
 * The devices' side of the coordinator: what happens when a device socket opens, speaks and goes, when a
 * device leaves or is revoked, and the liveness sweep the alarm runs. Work itself is the Dispatcher's.
 */
export class DeviceFleet {
	constructor(
		private readonly store: SwarmStore,
		private readonly dispatch: Dispatcher,
		private readonly limits: DeviceLimits,
		private readonly sockets: SwarmSockets,
		private readonly log: SwarmLog
	) {}

	/** A device socket opened: it replaces any older one, is greeted, and gets its held chunks back. */
	opened(ws: WebSocket, deviceId: string, now: number): void {
		for (const other of this.sockets.devices(deviceId)) {
			if (other !== ws) other.close(CloseCode.replaced, 'This device connected again elsewhere.');
		}
		const device = this.store.device(deviceId)!;
		if (device.status !== 'online') this.log('info', `${device.name} is online.`);
		this.store.setDeviceStatus(deviceId, 'online', now);
		this.sockets.send(ws, 'welcome', {
			deviceId,
			name: device.name,
			swarmName: this.store.getMeta('name') ?? '',
			score: device.score,
			needsBenchmark: device.score === null
		});
		// Chunks still assigned from an earlier connection: hand them over again rather than lose the work.
		this.dispatch.resendHeld(ws, deviceId);
		this.dispatch.invalidate();
		this.dispatch.assignPending(now);
	}

	/** One validated device message; every one is charged to the device's frame budget first. */
	message(ws: WebSocket, deviceId: string, message: SwarmClientMessage<'device'>, now: number): void {
		this.limits.frame(deviceId, now);
		if (message.type === 'benchmark') {
			this.limits.benchmark(deviceId, now, () =>
				this.log('warn', `${this.name(deviceId)} sent benchmarks too often; ignoring them for a while.`)
			);
			const previous = this.store.device(deviceId)?.score ?? null;
			const { score } = message.payload;
			this.store.setScore(deviceId, score, now);
			this.log(
				'info',
				`${this.name(deviceId)} ${previous === null ? 'benchmarked' : 're-benchmarked'}: score ${Math.round(score)}.`
			);
			this.dispatch.invalidate();
			this.dispatch.assignPending(now);
			return;
		}
		if (message.type === 'lending') {
			const { paused, slots } = message.payload;
			this.store.setLending(deviceId, paused, slots);
			if (paused) this.dispatch.withdraw(deviceId, now);
			this.dispatch.invalidate();
			this.dispatch.assignPending(now);
			return;
		}
		if (message.type === 'job-code') return this.sendCode(ws, deviceId, message.payload.jobId, message.seq);
		const chunk = this.dispatch.assignedChunk(deviceId, message.payload.jobId, message.payload.chunk);
		if (message.type === 'chunk-failed') {
			this.store.recordChunkOutcome(deviceId, false, now);
			this.log('warn', `${this.name(deviceId)} failed chunk ${chunk.jobId}/${chunk.unit}: ${message.payload.error}`);
			this.dispatch.requeue(chunk, message.payload.error, now);
		} else {
			this.accept(ws, chunk, deviceId, message.payload.output, message.payload.cpuMs ?? 0, message.seq, now);
		}
		this.dispatch.assignPending(now);
	}

	/** A device socket closed: offline, unless a newer socket of the same device is already open. */
	closed(deviceId: string, now: number): void {
		if (this.sockets.devices(deviceId).length > 0) return;
		this.markOffline(deviceId, now, 'disconnected');
		this.dispatch.assignPending(now);
	}

	/** Marks a connected device offline and puts its chunks back in the queue. */
	markOffline(deviceId: string, now: number, reason: string): void {
		const device = this.store.device(deviceId);
		if (!device || device.status !== 'online') return;
		this.store.setDeviceStatus(deviceId, 'offline', now);
		this.log('warn', `${device.name} went offline (${reason}).`);
		for (const chunk of this.store.assignedTo(deviceId)) this.dispatch.requeue(chunk, `device ${reason}`, now);
		this.dispatch.invalidate();
	}

	/** Leave or disconnect (status 'revoked'): the device's credential stops working, its sockets close, its chunks move on. */
	remove(deviceId: string, status: 'left' | 'revoked', now: number): void {
		const device = this.store.device(deviceId);
		if (!device) return;
		this.store.setDeviceStatus(deviceId, status, now);
		this.log('warn', `${device.name} ${status === 'left' ? 'left the swarm' : 'was disconnected by the owner'}.`);
		for (const chunk of this.store.assignedTo(deviceId)) this.dispatch.requeue(chunk, status, now);
		// Policy is final: the device page stops instead of reconnecting with a dead credential.
		for (const ws of this.sockets.devices(deviceId))
			ws.close(CloseCode.policy, status === 'left' ? 'You left the swarm.' : DISCONNECTED_REASON);
		this.dispatch.invalidate();
	}

	/**
	 * Liveness without waking on heartbeats: the runtime records when it last answered a device's "ping"
	 * (getWebSocketAutoResponseTimestamp); a socket silent for OFFLINE_AFTER_MS is closed and its device
	 * marked offline. Devices still "online" with no socket at all (the object restarted) go offline too.
	 */
	sweep(now: number): void {
		const connected = new Set<string>();
		for (const ws of this.sockets.devices()) {
			const attachment = this.sockets.attachment(ws);
			if (attachment?.role !== 'device') continue;
			const device = this.store.device(attachment.deviceId);
			const seen = lastSeen(this.sockets.lastPing(ws), device?.lastSeenAt ?? 0, attachment.connectedAt);
			if (isStale(seen, now)) {
				// Not final: the network may be back, and the device page reconnects by itself.
				ws.close(CloseCode.heartbeatTimeout, 'No heartbeat for 60 s.');
				this.markOffline(attachment.deviceId, now, 'no heartbeat');
			} else {
				connected.add(attachment.deviceId);
			}
		}
		for (const device of this.store.devicesWithStatus('online')) {
			if (!connected.has(device.id)) this.markOffline(device.id, now, 'connection lost');
		}
	}

	private accept(
		ws: WebSocket,
		chunk: ChunkRow,
		deviceId: string,
		output: ChunkOutput,
		cpuMs: number,
		seq: number,
		now: number
	) {
		const { done, accepted } = this.dispatch.complete(chunk, deviceId, output, cpuMs, now);
		this.sockets.send(ws, 'accepted', { jobId: chunk.jobId, chunk: chunk.unit, done }, seq);
		if (accepted?.kind === 'mandelbrot' && chunk.task.kind === 'mandelbrot') {
			const { x, y, w, h } = chunk.task;
			this.sockets.toDashboards('tile', { jobId: chunk.jobId, x, y, w, h, pixels: accepted.pixels });
		}
	}

	/** A custom job's module, only to a device that holds one of its chunks (the job is the owner's). */
	private sendCode(ws: WebSocket, deviceId: string, jobId: string, seq: number) {
		const parts = this.store.customParts(jobId);
		const holds = parts && this.store.assignedTo(deviceId).some((c) => c.jobId === jobId);
		if (!parts || !holds)
			throw new ProtocolError('no-job', `Job ${jobId} is not a custom job this device holds chunks of.`);
		this.sockets.send(ws, 'job-code', { jobId, code: parts.code }, seq);
	}

	private name(deviceId: string): string {
		return this.store.device(deviceId)?.name || 'a device';
	}
}
