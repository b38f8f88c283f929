import { RelayRoom } from '$lib/server/realtime/relay-room';

/** One chat room. Until its app lands it only relays text between its sockets. */
export class ChatRoom extends RelayRoom {}
