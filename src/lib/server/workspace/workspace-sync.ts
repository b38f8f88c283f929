import { RelayRoom } from '$lib/server/realtime/relay-room';

/** One workspace's event log. Until its app lands it only relays text between its sockets. */
export class WorkspaceSync extends RelayRoom {}
