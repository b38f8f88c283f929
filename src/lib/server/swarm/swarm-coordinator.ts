import { RelayObject } from '$lib/server/realtime/relay-object';

/** One compute swarm. For now it relays text between its sockets. */
export class SwarmCoordinator extends RelayObject {}
