import {
	dashboardMessage,
	DASHBOARD_FRAME_MAX_BYTES,
	DEVICE_FRAME_MAX_BYTES,
	DEVICE_HEARTBEAT_CLOSE,
	DEVICE_REPLACED_CLOSE,
	DEVICE_REVOKED_CLOSE,
	deviceMessage,
	type TileFrame,
	type DeviceMessage,
	type DeviceServerMessage
} from '$lib/protocol/swarm';
import { jobSpec, type ChunkOutput } from '$lib/protocol/swarm-jobs';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { LegacyRealtimeObject as RealtimeObject, type BaseAttachment } from '$lib/server/realtime/legacy-realtime-object';
import { newSecret, randomHex, signDeviceCredential, verifyDeviceCredential } from './credentials';
import { parseJsonFrame } from '$lib/server/realtime/json-frame';
import { DeviceLimits } from './device-limits';
import { Dispatcher } from './dispatcher';
import { splitJob } from './jobs';
import { CLEANUP_AFTER_MS, isStale, lastSeen, nextAlarmAt, TOKEN_KEEP_MS } from './lifecycle';
import { buildSnapshot, shouldSendFull, tileFrames } from './snapshot';
import { SwarmStore, type ChunkRow } from './storage';
import { issueInvite, liveDevice, redeemInvite } from './membership';
import type { RpcResult } from './tokens';

export interface SwarmAttachment extends BaseAttachment {
	role: 'device' | 'dashboard';
	deviceId?: string;
}

/** Running jobs per swarm, so one owner cannot queue unbounded work. */
export const MAX_RUNNING_JOBS = 5;
/** App close codes the device page treats as final (no reconnect). */
export const REPLACED_CLOSE = DEVICE_REPLACED_CLOSE;
export const REVOKED_CLOSE = DEVICE_REVOKED_CLOSE;
export const HEARTBEAT_CLOSE = DEVICE_HEARTBEAT_CLOSE;

/**
 * One compute swarm: devices, join tokens, jobs, chunks and the log live in this object's SQLite
 * (storage.ts); scheduling policy is pure (scheduler.ts); timings and the alarm plan are in lifecycle.ts.
 * Device and dashboard sockets use the Hibernation API with the runtime answering "ping" with "pong",
 * so heartbeats do not wake the object; the alarm checks each socket's auto-response timestamp instead.
 */
export class SwarmCoordinator extends RealtimeObject<SwarmAttachment> {
	protected readonly maxInboundBytes = DEVICE_FRAME_MAX_BYTES;
	private readonly store: SwarmStore;
	private readonly dispatch: Dispatcher;
	private readonly limits: DeviceLimits;
	/**
	 * Whether init() ran. Until then nothing is counted: a stub for an id with no swarm behind it must not
	 * write wake counters (the routes check D1 first; this keeps a stray stub from leaving storage behind).
	 */
	private initialised: boolean;
	/** Cached alarm time (undefined: unknown after a wake-up, read it from storage). */
	private alarmAt: number | null | undefined;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.store = new SwarmStore(ctx.storage.sql);
		this.limits = new DeviceLimits(ctx.storage.sql);
		this.initialised = this.store.getMeta('swarmId') !== null;
		this.dispatch = new Dispatcher(this.store, {
			socketOf: (deviceId) => this.sockets(`device:${deviceId}`)[0],
			send: (ws, message) => this.send(ws, this.encode(message)),
			sendTo: (deviceId, message) => this.sendTo(deviceId, message),
			log: (level, text) => this.log(level, text),
			lost: (deviceId) => this.markOffline(deviceId, Date.now(), 'connection lost')
		});
		this.wake('start');
	}

	// ---- RPC for the worker's routes ------------------------------------------------------------

	/** Called once when the owner creates the swarm in D1. Idempotent. */
	async init(swarmId: string, ownerId: string, name: string): Promise<void> {
		this.wake('rpc');
		if (this.store.getMeta('swarmId')) return;
		this.store.setMeta('swarmId', swarmId);
		this.store.setMeta('ownerId', ownerId);
		this.store.setMeta('name', name);
		this.store.setMeta('secret', newSecret());
		this.initialised = true;
		this.log('info', `Swarm “${name}” created.`);
	}

	async createToken(maxUses: number | null): Promise<RpcResult<{ id: string; token: string; expiresAt: number }>> {
		this.wake('rpc');
		this.requireInit();
		return issueInvite(this.store, maxUses, Date.now(), (level, text) => this.log(level, text));
	}

	async listTokens() {
		this.wake('rpc');
		return this.store.listTokens();
	}

	async revokeToken(id: string): Promise<boolean> {
		this.wake('rpc');
		const now = Date.now();
		if (!this.store.revokeToken(id, now)) return false;
		this.log('warn', `Invite ${id} revoked.`);
		for (const device of this.store.devicesOfToken(id)) {
			if (device.status !== 'left' && device.status !== 'revoked') this.removeDevice(device.id, 'revoked', now);
		}
		this.dispatch.assignPending(now);
		await this.scheduleAlarm(now);
		return true;
	}

	/** Redeems a join token: a new device id and its credential, or why not. */
	async join(token: string, caps: unknown): Promise<RpcResult<{ deviceId: string; credential: string; name: string }>> {
		this.wake('rpc');
		this.requireInit();
		const now = Date.now();
		const result = redeemInvite(this.store, token, caps, now, (level, text) => this.log(level, text));
		if (!result.ok) return result;
		// A device that never connects is still cleaned up after CLEANUP_AFTER_MS.
		await this.scheduleAlarm(now);
		const credential = signDeviceCredential(this.secret(), this.swarmId(), result.value.deviceId);
		return { ok: true, value: { ...result.value, credential } };
	}

	/** The device behind a credential, if the signature is valid and neither it nor its invite is revoked. */
	async authenticateDevice(credential: string): Promise<{ deviceId: string; name: string } | null> {
		this.wake('rpc');
		if (!this.store.getMeta('swarmId')) return null;
		const deviceId = verifyDeviceCredential(this.secret(), this.swarmId(), credential);
		const device = deviceId ? this.liveDevice(deviceId) : null;
		return device ? { deviceId: device.id, name: device.name } : null;
	}

	async leave(deviceId: string): Promise<boolean> {
		this.wake('rpc');
		const now = Date.now();
		if (!this.liveDevice(deviceId)) return false;
		this.removeDevice(deviceId, 'left', now);
		this.dispatch.assignPending(now);
		await this.scheduleAlarm(now);
		return true;
	}

	async revokeDevice(deviceId: string): Promise<boolean> {
		this.wake('rpc');
		const now = Date.now();
		if (!this.liveDevice(deviceId)) return false;
		this.removeDevice(deviceId, 'revoked', now);
		this.dispatch.assignPending(now);
		await this.scheduleAlarm(now);
		return true;
	}

	async submitJob(spec: unknown): Promise<RpcResult<{ jobId: string; chunks: number }>> {
		this.wake('rpc');
		this.requireInit();
		const now = Date.now();
		const parsed = jobSpec.safeParse(spec);
		if (!parsed.success) return { ok: false, status: 400, error: parsed.error.issues[0]?.message ?? 'Bad job.' };
		if (this.store.runningJobs() >= MAX_RUNNING_JOBS) {
			return { ok: false, status: 409, error: `At most ${MAX_RUNNING_JOBS} jobs can run at once.` };
		}
		const tasks = splitJob(parsed.data);
		const jobId = randomHex(8);
		this.store.insertJob(jobId, parsed.data, tasks, now);
		this.store.pruneJobs();
		this.log('info', `Job ${jobId} (${parsed.data.kind}) submitted: ${tasks.length} chunks.`);
		this.dispatch.assignPending(now);
		await this.scheduleAlarm(now);
		return { ok: true, value: { jobId, chunks: tasks.length } };
	}

	async jobs() {
		this.wake('rpc');
		return this.store.jobViews();
	}

	/** Handler invocations by kind and other counters (the bench reads wake-ups per device-hour here). */
	async stats() {
		this.wake('rpc');
		return {
			counters: this.store.counters(),
			devicesOnline: this.store.devicesWithStatus('online').length,
			deviceSockets: this.sockets('device').length,
			dashboards: this.sockets('dashboard').length
		};
	}

	// ---- runtime entry points (counted as wake-ups) ------------------------------------------------

	async fetch(request: Request): Promise<Response> {
		this.wake('fetch');
		return super.fetch(request);
	}

	async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		this.wake('message');
		return super.webSocketMessage(ws, message);
	}

	async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
		this.wake('close');
		return super.webSocketClose(ws, code, reason);
	}

	async webSocketError(ws: WebSocket): Promise<void> {
		this.wake('close');
		return super.webSocketError(ws);
	}

	async alarm(): Promise<void> {
		this.wake('alarm');
		this.alarmAt = null;
		const now = Date.now();
		this.sweepDevices(now);
		for (const overdue of this.store.overdue(now)) {
			// Re-read: an earlier chunk in this loop may have failed the job (and with it this chunk).
			const chunk = this.store.chunk(overdue.jobId, overdue.idx);
			if (chunk?.status !== 'assigned' || chunk.deviceId !== overdue.deviceId) continue;
			if (chunk.deviceId) {
				this.store.recordChunkOutcome(chunk.deviceId, false, now);
				this.sendTo(chunk.deviceId, { type: 'drop', chunks: [{ jobId: chunk.jobId, chunk: chunk.idx }] });
			}
			this.log('warn', `Chunk ${chunk.jobId}/${chunk.idx} timed out on ${this.deviceName(chunk.deviceId)}.`);
			this.dispatch.requeue(chunk, 'timed out', now);
		}
		const removed = this.store.deleteStaleDevices(now - CLEANUP_AFTER_MS);
		if (removed > 0) this.log('info', `Removed ${removed} device(s) offline for over 24 h.`);
		this.store.deleteDeadTokens(now - TOKEN_KEEP_MS);
		this.dispatch.assignPending(now);
		if (this.sockets('dashboard').length > 0) this.broadcastSnapshot(now);
		await this.scheduleAlarm(now);
	}

	// ---- socket hooks -----------------------------------------------------------------------------

	protected async onConnect(identity: SocketIdentity): Promise<SwarmAttachment | Response> {
		const ownerId = this.store.getMeta('ownerId');
		if (!ownerId) return new Response('No such swarm.', { status: 404 });
		const connectedAt = Date.now();
		if (identity.kind === 'user') {
			if (identity.id !== ownerId) return new Response('Only the owner can watch this swarm.', { status: 403 });
			return { identity, connectedAt, role: 'dashboard' };
		}
		if (identity.kind === 'device' && this.liveDevice(identity.id)) {
			return { identity, connectedAt, role: 'device', deviceId: identity.id };
		}
		return new Response('This device is not part of the swarm.', { status: 403 });
	}

	protected tagsFor(attachment: SwarmAttachment): string[] {
		return attachment.role === 'device' ? ['device', `device:${attachment.deviceId}`] : ['dashboard'];
	}

	protected async onOpen(ws: WebSocket, attachment: SwarmAttachment): Promise<void> {
		const now = Date.now();
		if (attachment.role === 'dashboard') {
			this.send(ws, JSON.stringify(buildSnapshot(this.store, this.snapshotContext(now, true))));
		} else {
			this.deviceOpened(ws, attachment.deviceId!, now);
		}
		await this.scheduleAlarm(now);
	}

	protected async onMessage(ws: WebSocket, message: string | ArrayBuffer, attachment: SwarmAttachment): Promise<void> {
		if (attachment.role === 'dashboard') {
			if (typeof message === 'string' && message.length > DASHBOARD_FRAME_MAX_BYTES) {
				throw new ProtocolError('too-big', `Dashboard frames are at most ${DASHBOARD_FRAME_MAX_BYTES} bytes.`);
			}
			const request = parseJsonFrame(message, dashboardMessage);
			if (request.type === 'refresh') {
				this.send(ws, JSON.stringify(buildSnapshot(this.store, this.snapshotContext(Date.now(), true))));
			} else {
				for (const frame of tileFrames(this.store, request.jobId)) this.send(ws, JSON.stringify(frame));
			}
			return;
		}
		const now = Date.now();
		this.limits.frame(attachment.deviceId!, now);
		this.onDeviceMessage(ws, attachment.deviceId!, parseJsonFrame(message, deviceMessage), now);
	}

	protected async onClose(_ws: WebSocket, attachment: SwarmAttachment): Promise<void> {
		if (attachment.role !== 'device') return;
		const now = Date.now();
		// A reconnect may already have a newer socket for this device.
		if (this.sockets(`device:${attachment.deviceId}`).length > 0) return;
		this.markOffline(attachment.deviceId!, now, 'disconnected');
		this.dispatch.assignPending(now);
		await this.scheduleAlarm(now);
	}

	protected encodeError(error: ProtocolError): string {
		return JSON.stringify({
			type: 'error',
			code: error.code,
			message: error.message,
			retryAfterMs: error.retryAfterMs
		});
	}

	// ---- devices ------------------------------------------------------------------------------------

	private deviceOpened(ws: WebSocket, deviceId: string, now: number): void {
		for (const other of this.sockets(`device:${deviceId}`)) {
			if (other !== ws) other.close(REPLACED_CLOSE, 'This device connected again elsewhere.');
		}
		const device = this.store.device(deviceId)!;
		if (device.status !== 'online') this.log('info', `${device.name} is online.`);
		this.store.setDeviceStatus(deviceId, 'online', now);
		this.send(
			ws,
			this.encode({
				type: 'welcome',
				deviceId,
				name: device.name,
				swarmName: this.store.getMeta('name') ?? '',
				score: device.score,
				needsBenchmark: device.score === null
			})
		);
		// Chunks still assigned from an earlier connection: hand them over again rather than lose the work.
		this.dispatch.resendHeld(ws, deviceId);
		this.dispatch.invalidate();
		this.dispatch.assignPending(now);
	}

	private onDeviceMessage(ws: WebSocket, deviceId: string, message: DeviceMessage, now: number): void {
		if (message.type === 'benchmark') {
			this.limits.benchmark(deviceId, now, () =>
				this.log('warn', `${this.deviceName(deviceId)} sent benchmarks too often; ignoring them for a while.`)
			);
			const previous = this.store.device(deviceId)?.score ?? null;
			this.store.setScore(deviceId, message.score, now);
			this.log(
				'info',
				`${this.deviceName(deviceId)} ${previous === null ? 'benchmarked' : 're-benchmarked'}: score ${Math.round(message.score)}.`
			);
			this.dispatch.invalidate();
			this.dispatch.assignPending(now);
			return;
		}
		const chunk = this.dispatch.assignedChunk(deviceId, message.jobId, message.chunk);
		if (message.type === 'chunk-failed') {
			this.store.recordChunkOutcome(deviceId, false, now);
			this.log('warn', `${this.deviceName(deviceId)} failed chunk ${chunk.jobId}/${chunk.idx}: ${message.error}`);
			this.dispatch.requeue(chunk, message.error, now);
		} else {
			this.acceptResult(ws, chunk, deviceId, message.output, now);
		}
		this.dispatch.assignPending(now);
	}

	private acceptResult(ws: WebSocket, chunk: ChunkRow, deviceId: string, output: ChunkOutput, now: number): void {
		const done = this.dispatch.complete(chunk, deviceId, output, now);
		this.send(ws, this.encode({ type: 'accepted', jobId: chunk.jobId, chunk: chunk.idx, done }));
		if (output.kind === 'mandelbrot' && chunk.task.kind === 'mandelbrot') {
			const { x, y, w, h } = chunk.task;
			const tile: TileFrame = { type: 'tile', jobId: chunk.jobId, x, y, w, h, pixels: output.pixels };
			this.broadcast(JSON.stringify(tile), { tag: 'dashboard' });
		}
	}

	/** Marks a connected device offline and puts its chunks back in the queue. */
	private markOffline(deviceId: string, now: number, reason: string): void {
		const device = this.store.device(deviceId);
		if (!device || device.status !== 'online') return;
		this.store.setDeviceStatus(deviceId, 'offline', now);
		this.log('warn', `${device.name} went offline (${reason}).`);
		for (const chunk of this.store.assignedTo(deviceId)) this.dispatch.requeue(chunk, `device ${reason}`, now);
		this.dispatch.invalidate();
	}

	/** Leave or revoke: the device's credential stops working, its sockets close, its chunks move on. */
	private removeDevice(deviceId: string, status: 'left' | 'revoked', now: number): void {
		const device = this.store.device(deviceId);
		if (!device) return;
		this.store.setDeviceStatus(deviceId, status, now);
		this.log('warn', `${device.name} ${status === 'left' ? 'left the swarm' : 'was revoked'}.`);
		for (const chunk of this.store.assignedTo(deviceId)) this.dispatch.requeue(chunk, status, now);
		for (const ws of this.sockets(`device:${deviceId}`))
			ws.close(REVOKED_CLOSE, status === 'left' ? 'You left the swarm.' : 'This device was revoked.');
		this.dispatch.invalidate();
	}

	/**
	 * Liveness without waking on heartbeats: the runtime records when it last answered a device's "ping"
	 * (getWebSocketAutoResponseTimestamp); a socket silent for OFFLINE_AFTER_MS is closed and its device
	 * marked offline. Devices still "online" with no socket at all (the object restarted) go offline too.
	 */
	private sweepDevices(now: number): void {
		const connected = new Set<string>();
		for (const ws of this.sockets('device')) {
			const attachment = this.attachment(ws);
			if (!attachment?.deviceId) continue;
			const device = this.store.device(attachment.deviceId);
			const seen = lastSeen(
				this.ctx.getWebSocketAutoResponseTimestamp(ws),
				device?.lastSeenAt ?? 0,
				attachment.connectedAt
			);
			if (isStale(seen, now)) {
				ws.close(HEARTBEAT_CLOSE, 'No heartbeat for 60 s.');
				this.markOffline(attachment.deviceId, now, 'no heartbeat');
			} else {
				connected.add(attachment.deviceId);
			}
		}
		for (const device of this.store.devicesWithStatus('online')) {
			if (!connected.has(device.id)) this.markOffline(device.id, now, 'connection lost');
		}
	}

	private liveDevice(deviceId: string) {
		return liveDevice(this.store, deviceId);
	}

	// ---- dashboards, alarm, helpers ------------------------------------------------------------------

	private broadcastSnapshot(now: number): void {
		const full = shouldSendFull(this.store);
		const frame = JSON.stringify(buildSnapshot(this.store, this.snapshotContext(now, full), true));
		this.broadcast(frame, { tag: 'dashboard' });
		this.store.bump('broadcasts');
	}

	private snapshotContext(now: number, full: boolean) {
		return { now, full, swarmId: this.swarmId(), name: this.store.getMeta('name') ?? '' };
	}

	private async scheduleAlarm(now: number): Promise<void> {
		const desired = nextAlarmAt({
			now,
			dashboards: this.sockets('dashboard').length,
			devices: this.sockets('device').length + this.store.devicesWithStatus('online').length,
			earliestChunkDeadline: this.store.earliestDeadline(),
			oldestInactiveSince: this.store.oldestInactiveSince()
		});
		if (desired === null) return;
		if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
		if (this.alarmAt === null || this.alarmAt > desired) {
			await this.ctx.storage.setAlarm(desired);
			this.alarmAt = desired;
		}
	}

	private log(level: 'info' | 'warn' | 'error', text: string): void {
		this.store.appendLog(level, text, Date.now());
	}

	private wake(kind: string): void {
		if (this.initialised) this.store.bump(`wake.${kind}`);
	}

	private encode(message: DeviceServerMessage): string {
		return JSON.stringify(message);
	}

	private sendTo(deviceId: string, message: DeviceServerMessage): void {
		for (const ws of this.sockets(`device:${deviceId}`)) this.send(ws, this.encode(message));
	}

	private deviceName(deviceId: string | null): string {
		return (deviceId && this.store.device(deviceId)?.name) || 'a device';
	}

	private requireInit(): void {
		if (!this.store.getMeta('swarmId')) throw new Error('Swarm not initialised.');
	}

	private swarmId(): string {
		return this.store.getMeta('swarmId') ?? '';
	}

	private secret(): string {
		let secret = this.store.getMeta('secret');
		if (!secret) {
			secret = newSecret();
			this.store.setMeta('secret', secret);
		}
		return secret;
	}
}
