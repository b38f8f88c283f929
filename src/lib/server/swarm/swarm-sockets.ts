import type { ServerKind, ServerPayload } from '$lib/protocol/channel';
import type { SwarmChannel } from '$lib/protocol/swarm-channel';
import type { BaseAttachment } from '$lib/server/realtime/realtime-object';

/** A swarm socket is either a device's or the owner's dashboard; the device id rides in the attachment. */
export type SwarmAttachment = BaseAttachment & ({ role: 'dashboard' } | { role: 'device'; deviceId: string });

type Kind = ServerKind<SwarmChannel>;
type Payload<N extends Kind> = ServerPayload<SwarmChannel, N>;

/**
 * What the coordinator's parts (devices, dispatch, alarm) need of its sockets, so they can live in their
 * own files without reaching into the Durable Object. Every send is a frame of the swarm channel.
 */
export interface SwarmSockets {
	/** Open sockets of one device (normally one), or of every device. */
	devices(deviceId?: string): WebSocket[];
	dashboards(): WebSocket[];
	send<N extends Kind>(ws: WebSocket, kind: N, payload: Payload<N>, seq?: number): void;
	/** To every open socket of one device. */
	toDevice<N extends Kind>(deviceId: string, kind: N, payload: Payload<N>): void;
	/** To every dashboard (but `except`), encoded once. */
	toDashboards<N extends Kind>(kind: N, payload: Payload<N>, except?: WebSocket): void;
	attachment(ws: WebSocket): SwarmAttachment | null;
	/** When the runtime last answered this socket's "ping" (getWebSocketAutoResponseTimestamp). */
	lastPing(ws: WebSocket): Date | null;
}

/** A line for the swarm's own log, the one the owner's dashboard shows (not the worker's `log()`). */
export type SwarmLog = (level: 'info' | 'warn' | 'error', text: string) => void;
