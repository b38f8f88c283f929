import { RelayRoom } from '$lib/server/realtime/relay-room';

/** One compute swarm. Until its app lands it only relays text between its sockets. */
export class SwarmCoordinator extends RelayRoom {}
