/**
 * The `murmur-realtime` worker of the Pages shape (deploy/pages/wrangler.realtime.toml `main`): the
 * Durable Object classes, which Pages cannot host itself. The Pages project binds them with
 * `script_name = "murmur-realtime"` and forwards its socket upgrades to them (same origin); with
 * PUBLIC_REALTIME_URL set, browsers open their sockets here instead, with a ticket the app signed
 * (ticket-socket-routes.ts). It also consumes the chat search queue its ChatRoom produces (Pages Functions
 * cannot consume queues), writing into the app's D1. The Workers shape (src/worker.ts) exports the same
 * classes and consumer next to the app.
 */
import { indexChatBatch } from './lib/server/chat/search/index-consumer';
import { handleTicketSocket } from './lib/server/realtime/ticket-socket-routes';

export { ChatRoom } from './lib/server/chat/chat-room';
export { ChatInbox } from './lib/server/chat/chat-inbox';
export { SwarmCoordinator } from './lib/server/swarm/swarm-coordinator';
export { WorkspaceSync } from './lib/server/workspace/workspace-sync';
export { RelayRoom } from './lib/server/realtime/relay-room';

export default {
	fetch(request, env) {
		if (new URL(request.url).pathname === '/api/health')
			return Response.json({ status: 'ok', worker: 'murmur-realtime' });
		return handleTicketSocket(request, env);
	},
	queue: (batch, env) => indexChatBatch(batch, env.DB)
} satisfies ExportedHandler<Env>;
