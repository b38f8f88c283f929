import type { ClientMessage } from '$lib/protocol/channel';
import { CLIENT_ROLE, sentBy, swarmChannel, type SwarmChannel } from '$lib/protocol/swarm-channel';
import { apiError } from '$lib/server/api-error';
import { log as logLine } from '$lib/server/log';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { RealtimeObject } from '$lib/server/realtime/realtime-object';
import { AlarmClock } from './alarm-clock';
import { inviteToken, newSecret, signDeviceCredential, verifyDeviceCredential } from './credentials';
import { DashboardFeed } from './dashboard-feed';
import { DeviceFleet } from './device-fleet';
import { DeviceLimits } from './device-limits';
import { Dispatcher } from './dispatcher';
import { JobControl, type JobAction } from './job-control';
import { CLEANUP_AFTER_MS, TOKEN_KEEP_MS } from './lifecycle';
import { issueInvite, liveDevice, redeemInvite, showInvite } from './membership';
import { SwarmStore } from './storage';
import { migrateSwarmSchema } from './swarm-schema';
import type { SwarmAttachment, SwarmLog, SwarmSockets } from './swarm-sockets';
import type { RpcResult } from './tokens';
import { TrustLedger } from './trust-ledger';
import { Validator } from './validator';
import { VoteStore } from './vote-store';
import { WakeCounter } from './wake-counter';

export { MAX_RUNNING_JOBS } from './job-control';

/** Where a device credential stands: still a member, left, disconnected ('revoked'), or no such device. */
export type DeviceStanding = 'member' | 'left' | 'revoked' | 'unknown';

/**
 * One compute swarm, on the swarm channel (swarm-channel.ts): devices, join tokens, jobs, chunks and the
 * log live in this object's SQLite (swarm-schema.ts, storage.ts). This class is the surface: the RPCs the
 * worker's routes call, the runtime entry points (each counted as a wake-up), the socket hooks and the
 * alarm. The work is done by its parts: DeviceFleet (device sockets, liveness), Dispatcher (chunks),
 * Validator (votes on replicated results) and TrustLedger (what losing one costs a device), JobControl
 * (submit, pause, resume, cancel, output), DashboardFeed (the dashboards' keyframes and deltas),
 * AlarmClock (lifecycle.ts decides when), WakeCounter.
 * Heartbeats are answered by the runtime's auto-response, so they never wake the object; the alarm reads
 * each device socket's auto-response timestamp instead.
 */
export class SwarmCoordinator extends RealtimeObject<SwarmChannel, SwarmAttachment> {
	private readonly store: SwarmStore;
	private readonly dispatch: Dispatcher;
	private readonly devices: DeviceFleet;
	private readonly dashboards: DashboardFeed;
	private readonly control: JobControl;
	private readonly clock: AlarmClock;
	private readonly wakes: WakeCounter;
	private readonly log: SwarmLog;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env, swarmChannel);
		migrateSwarmSchema(ctx.storage);
		this.store = new SwarmStore(ctx.storage.sql);
		this.wakes = new WakeCounter(this.store);
		this.clock = new AlarmClock(ctx.storage);
		const sockets = this.swarmSockets();
		const log: SwarmLog = (level, text) => this.store.appendLog(level, text, Date.now());
		this.log = log;
		const votes = new VoteStore(ctx.storage.sql);
		this.dispatch = new Dispatcher(this.store, {
			sockets,
			log,
			validator: new Validator(votes),
			trust: new TrustLedger(this.store, votes, log),
			lost: (deviceId) => this.devices.markOffline(deviceId, Date.now(), 'connection lost')
		});
		this.control = new JobControl(this.store, this.dispatch, log);
		this.devices = new DeviceFleet(this.store, this.dispatch, new DeviceLimits(ctx.storage), sockets, log);
		this.dashboards = new DashboardFeed(this.store, sockets);
		this.wakes.count('start');
	}

	// ---- RPC for the worker's routes ------------------------------------------------------------

	/** Called once when the owner creates the swarm in D1. Idempotent. */
	async init(swarmId: string, ownerId: string, name: string): Promise<void> {
		this.wakes.count('rpc');
		if (this.store.getMeta('swarmId')) return;
		this.store.setMeta('swarmId', swarmId);
		this.store.setMeta('ownerId', ownerId);
		this.store.setMeta('name', name);
		this.store.setMeta('secret', newSecret());
		this.wakes.start();
		this.log('info', `Swarm “${name}” created.`);
	}

	async createToken(maxUses: number | null): Promise<RpcResult<{ id: string; token: string; expiresAt: number }>> {
		this.wakes.count('rpc');
		this.requireInit();
		return issueInvite(this.store, maxUses, Date.now(), this.log, (id) => this.tokenOf(id));
	}

	async listTokens() {
		this.wakes.count('rpc');
		return this.store.listTokens();
	}

	/** A live invite's token again (the owner shows its QR code once more). */
	async showToken(id: string): Promise<RpcResult<{ id: string; token: string; expiresAt: number }>> {
		this.wakes.count('rpc');
		this.requireInit();
		return showInvite(this.store, id, Date.now(), (inviteId) => this.tokenOf(inviteId));
	}

	/**
	 * Revoking an invite stops new joins only: devices that joined with it keep computing (kicking them
	 * mid-job was a surprise). Disconnecting them is its own explicit action, disconnectInvite.
	 */
	async revokeToken(id: string): Promise<boolean> {
		this.wakes.count('rpc');
		const now = Date.now();
		if (!this.store.revokeToken(id, now)) return false;
		this.log('warn', `Invite ${id} revoked: no new joins with it.`);
		await this.afterChange(now);
		return true;
	}

	/** Disconnects every live device that joined with invite `id`; answers how many, or null if no such invite. */
	async disconnectInvite(id: string): Promise<number | null> {
		this.wakes.count('rpc');
		if (!this.store.tokenById(id)) return null;
		const now = Date.now();
		let disconnected = 0;
		for (const device of this.store.devicesOfToken(id)) {
			if (!liveDevice(this.store, device.id)) continue;
			this.devices.remove(device.id, 'revoked', now);
			disconnected++;
		}
		if (disconnected > 0) this.log('warn', `Disconnected ${disconnected} device(s) of invite ${id}.`);
		await this.afterChange(now);
		return disconnected;
	}

	/** Redeems a join token: a new device id and its credential, or why not. */
	async join(token: string, caps: unknown): Promise<RpcResult<{ deviceId: string; credential: string; name: string }>> {
		this.wakes.count('rpc');
		this.requireInit();
		const now = Date.now();
		const result = redeemInvite(this.store, token, caps, now, this.log);
		if (!result.ok) return result;
		// A device that never connects is still cleaned up after CLEANUP_AFTER_MS.
		await this.scheduleAlarm(now);
		const credential = signDeviceCredential(this.secret(), this.swarmId(), result.value.deviceId);
		return { ok: true, value: { ...result.value, credential } };
	}

	/** The device behind a credential, if the signature is valid and it has not left or been disconnected. */
	async authenticateDevice(credential: string): Promise<{ deviceId: string; name: string } | null> {
		this.wakes.count('rpc');
		if (!this.store.getMeta('swarmId')) return null;
		const deviceId = verifyDeviceCredential(this.secret(), this.swarmId(), credential);
		const device = deviceId ? liveDevice(this.store, deviceId) : null;
		return device ? { deviceId: device.id, name: device.name } : null;
	}

	/**
	 * Where the device behind a credential stands, for its page: still a member, or why not (it left, the
	 * owner disconnected it, or the credential names no device of this swarm any more).
	 */
	async deviceStanding(credential: string): Promise<DeviceStanding> {
		this.wakes.count('rpc');
		if (!this.store.getMeta('swarmId')) return 'unknown';
		const deviceId = verifyDeviceCredential(this.secret(), this.swarmId(), credential);
		const device = deviceId ? this.store.device(deviceId) : null;
		if (!device) return 'unknown';
		return device.status === 'left' || device.status === 'revoked' ? device.status : 'member';
	}

	async leave(deviceId: string): Promise<boolean> {
		return this.removeDevice(deviceId, 'left');
	}

	async revokeDevice(deviceId: string): Promise<boolean> {
		return this.removeDevice(deviceId, 'revoked');
	}

	/** A built-in job spec, or a custom job with its compiled module (the route compiled the owner's source). */
	async submitJob(spec: unknown): Promise<RpcResult<{ jobId: string; chunks: number }>> {
		this.wakes.count('rpc');
		this.requireInit();
		const now = Date.now();
		const result = this.control.submit(spec, now);
		if (result.ok) await this.afterChange(now);
		return result;
	}

	async controlJob(jobId: string, action: JobAction): Promise<RpcResult<{ status: string }>> {
		this.wakes.count('rpc');
		const now = Date.now();
		const result = this.control.control(jobId, action, now);
		await this.afterChange(now);
		return result;
	}

	async jobOutput(jobId: string) {
		this.wakes.count('rpc');
		return this.control.output(jobId);
	}

	async jobs() {
		this.wakes.count('rpc');
		return this.store.jobViews();
	}

	/**
	 * Handler invocations by kind and other counters (the bench reads wake-ups per device-hour here), and the
	 * dashboard broadcasts' build + send time since the object started (zero where timers stand still
	 * during execution, as on Cloudflare; wrangler dev and workerd's clocks run).
	 */
	async stats() {
		this.wakes.count('rpc');
		return {
			counters: this.store.counters(),
			devicesOnline: this.store.devicesWithStatus('online').length,
			deviceSockets: this.sockets('device').length,
			dashboards: this.sockets('dashboard').length,
			broadcastTiming: this.dashboards.timing
		};
	}

	// ---- runtime entry points (counted as wake-ups) ------------------------------------------------

	async fetch(request: Request): Promise<Response> {
		this.wakes.count('fetch');
		return super.fetch(request);
	}

	async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		this.wakes.count('message');
		return super.webSocketMessage(ws, message);
	}

	async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
		this.wakes.count('close');
		return super.webSocketClose(ws, code, reason);
	}

	async webSocketError(ws: WebSocket): Promise<void> {
		this.wakes.count('close');
		return super.webSocketError(ws);
	}

	/** Every periodic duty in one alarm: liveness, chunk timeouts, cleanup, scheduling, the dashboard broadcast. */
	async alarm(): Promise<void> {
		this.wakes.count('alarm');
		this.clock.fired();
		const now = Date.now();
		this.devices.sweep(now);
		this.dispatch.expireOverdue(now);
		const removed = this.store.deleteStaleDevices(now - CLEANUP_AFTER_MS);
		if (removed > 0) this.log('info', `Removed ${removed} device(s) offline for over 24 h.`);
		this.store.deleteDeadTokens(now - TOKEN_KEEP_MS);
		this.dispatch.assignPending(now);
		try {
			this.dashboards.broadcast(now);
		} catch (error) {
			// A dashboard frame that cannot be built (e.g. a keyframe over the codec's payload cap) must not stop
			// the sweeps above from running again: log it and keep the alarm going.
			logLine('error', 'swarm dashboard broadcast failed', { error: String(error) });
		}
		await this.scheduleAlarm(now);
	}

	// ---- socket hooks -----------------------------------------------------------------------------

	protected async onConnect(identity: SocketIdentity): Promise<SwarmAttachment | Response> {
		const ownerId = this.store.getMeta('ownerId');
		if (!ownerId) return apiError(404, 'not-found', 'No such swarm.');
		const connectedAt = Date.now();
		if (identity.kind === 'user') {
			if (identity.id !== ownerId) return apiError(403, 'forbidden', 'Only the owner can watch this swarm.');
			return { identity, connectedAt, role: 'dashboard' };
		}
		if (identity.kind === 'device' && liveDevice(this.store, identity.id)) {
			return { identity, connectedAt, role: 'device', deviceId: identity.id };
		}
		return apiError(403, 'forbidden', 'This device is not part of the swarm.');
	}

	protected tagsFor(attachment: SwarmAttachment): string[] {
		return attachment.role === 'device' ? ['device', `device:${attachment.deviceId}`] : ['dashboard'];
	}

	protected async onOpen(ws: WebSocket, attachment: SwarmAttachment): Promise<void> {
		const now = Date.now();
		if (attachment.role === 'dashboard') this.dashboards.sendKeyframe(ws, now);
		else this.devices.opened(ws, attachment.deviceId, now);
		await this.scheduleAlarm(now);
	}

	protected async onMessage(ws: WebSocket, message: ClientMessage<SwarmChannel>, attachment: SwarmAttachment) {
		const now = Date.now();
		if (attachment.role === 'dashboard' && sentBy(message, 'dashboard')) this.dashboards.answer(ws, message, now);
		else if (attachment.role === 'device' && sentBy(message, 'device'))
			this.devices.message(ws, attachment.deviceId, message, now);
		else throw new ProtocolError('forbidden', `Only a ${CLIENT_ROLE[message.type]} socket may send ${message.type}.`);
	}

	protected async onClose(_ws: WebSocket, attachment: SwarmAttachment): Promise<void> {
		if (attachment.role !== 'device') return;
		const now = Date.now();
		this.devices.closed(attachment.deviceId, now);
		await this.scheduleAlarm(now);
	}

	// ---- helpers ----------------------------------------------------------------------------------

	private swarmSockets(): SwarmSockets {
		return {
			devices: (deviceId) => this.sockets(deviceId === undefined ? 'device' : `device:${deviceId}`),
			dashboards: () => this.sockets('dashboard'),
			send: (ws, kind, payload, seq) => void this.send(ws, kind, payload, seq),
			toDevice: (deviceId, kind, payload) => void this.broadcast(kind, payload, { tag: `device:${deviceId}` }),
			toDashboards: (kind, payload, except) => void this.broadcast(kind, payload, { tag: 'dashboard', except }),
			attachment: (ws) => this.attachment(ws),
			lastPing: (ws) => this.ctx.getWebSocketAutoResponseTimestamp(ws)
		};
	}

	private async removeDevice(deviceId: string, status: 'left' | 'revoked'): Promise<boolean> {
		this.wakes.count('rpc');
		const now = Date.now();
		if (!liveDevice(this.store, deviceId)) return false;
		this.devices.remove(deviceId, status, now);
		await this.afterChange(now);
		return true;
	}

	/** Devices or jobs changed: hand out what can be handed out, and make sure the alarm will follow up. */
	private async afterChange(now: number): Promise<void> {
		this.dispatch.assignPending(now);
		await this.scheduleAlarm(now);
	}

	private scheduleAlarm(now: number): Promise<void> {
		return this.clock.schedule({
			now,
			dashboards: this.sockets('dashboard').length,
			devices: this.sockets('device').length + this.store.devicesWithStatus('online').length,
			earliestChunkDeadline: this.store.earliestDeadline(),
			oldestInactiveSince: this.store.oldestInactiveSince()
		});
	}

	private requireInit(): void {
		if (!this.store.getMeta('swarmId')) throw new Error('Swarm not initialised.');
	}

	private swarmId(): string {
		return this.store.getMeta('swarmId') ?? '';
	}

	private tokenOf(inviteId: string): string {
		return inviteToken(this.secret(), this.swarmId(), inviteId);
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
