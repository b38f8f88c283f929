import { RelayObject } from '$lib/server/realtime/relay-object';

/** One workspace's event log. For now it relays text between its sockets. */
export class WorkspaceSync extends RelayObject {}
