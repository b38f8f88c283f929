import { chatChannel } from '$lib/protocol/chat';
import { chatInboxChannel } from '$lib/protocol/chat-inbox';
import type { AnyChannel } from '$lib/protocol/channel';
import { relayChannel } from '$lib/protocol/relay';
import { swarmChannel } from '$lib/protocol/swarm-channel';
import { workspaceChannel } from '$lib/protocol/workspace-channel';
import { apiError } from '$lib/server/api-error';
import { socketRoute, type SocketEvent } from './socket-route';
import { TICKET_PARAM } from '$lib/protocol/socket-ticket';
import { verifyTicket } from './socket-ticket';

/** The realtime worker's request, with the object id from its path `/<app>/<object>/ws`. */
interface TicketSocketEvent extends SocketEvent {
	object: string;
}

/**
 * The socket routes of the realtime worker (Pages shape, sockets on its own origin): the same socketRoute
 * as the app's routes, with the ticket in the place of the session. Origin (its ALLOWED_ORIGINS names the
 * Pages origin) → the ticket, which must be genuine, unexpired, for this app and for the object in the
 * path (401/403) → protocol version → the object, which redeems the ticket once.
 */
function ticketRoute(channel: AnyChannel, namespace: (env: Env) => DurableObjectNamespace) {
	return socketRoute({
		channel,
		namespace,
		identify: async ({ url, platform }: TicketSocketEvent) => {
			const token = url.searchParams.get(TICKET_PARAM);
			return token ? verifyTicket(platform!.env, token, channel.name) : null;
		},
		authorize: ({ request, object }, ticket) => {
			if (ticket.object !== object)
				return { status: 403, code: 'forbidden', message: 'This ticket is for another object.' };
			const url = new URL(request.url);
			url.searchParams.delete(TICKET_PARAM);
			return { object, identity: ticket.identity, ticket, request: new Request(url, request) };
		}
	});
}

/** By the channel's name, which is the first segment of the socket URL the app hands out. */
const routes = new Map([
	[chatChannel.name, ticketRoute(chatChannel, (env) => env.CHAT_ROOM)],
	[chatInboxChannel.name, ticketRoute(chatInboxChannel, (env) => env.CHAT_INBOX)],
	[relayChannel.name, ticketRoute(relayChannel, (env) => env.RELAY_ROOM)],
	[swarmChannel.name, ticketRoute(swarmChannel, (env) => env.SWARM_COORDINATOR)],
	[workspaceChannel.name, ticketRoute(workspaceChannel, (env) => env.WORKSPACE_SYNC)]
]);

export function handleTicketSocket(request: Request, env: Env): Promise<Response> | Response {
	const url = new URL(request.url);
	const match = /^\/([a-z]+)\/([^/]+)\/ws$/.exec(url.pathname);
	const route = match ? routes.get(match[1]!) : undefined;
	if (!route) return apiError(404, 'not-found', 'No such socket here.');
	let object: string;
	try {
		object = decodeURIComponent(match![2]!);
	} catch {
		return apiError(404, 'not-found', 'No such socket here.');
	}
	return route({ request, url, platform: { env }, object });
}
