/**
 * The `murmur-realtime` worker of the Pages shape (deploy/pages/wrangler.realtime.toml `main`): the
 * Durable Object classes, which Pages cannot host itself. The Pages project binds them with
 * `script_name = "murmur-realtime"` and forwards its socket upgrades to them (same origin); with
 * PUBLIC_REALTIME_URL set, browsers open their sockets here instead, with a ticket the app signed
 * (realtime-ticket-route.ts). The Workers shape (src/worker.ts) exports the same classes next to the app.
 */
export { ChatRoom } from './lib/server/chat/chat-room';
export { SwarmCoordinator } from './lib/server/swarm/swarm-coordinator';
export { WorkspaceSync } from './lib/server/workspace/workspace-sync';
export { RelayRoom } from './lib/server/realtime/relay-room';

export default {
	fetch(request) {
		const { pathname } = new URL(request.url);
		if (pathname === '/api/health') return Response.json({ status: 'ok', worker: 'murmur-realtime' });
		return Response.json(
			{ error: { code: 'not-found', message: 'Nothing here: this worker serves sockets only.' } },
			{ status: 404 }
		);
	}
} satisfies ExportedHandler<Env>;
