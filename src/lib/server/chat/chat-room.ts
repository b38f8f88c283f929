import { RelayObject } from '$lib/server/realtime/relay-object';

/** One chat room. For now it relays text between its sockets (the foundation's smoke test). */
export class ChatRoom extends RelayObject {}
