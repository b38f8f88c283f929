import type { RequestEvent } from '@sveltejs/kit';
import type { AnyChannel } from '$lib/protocol/channel';
import { TICKET_PARAM, TICKET_REQUEST_HEADER } from '$lib/protocol/socket-ticket';
import { apiError } from '$lib/server/api-error';
import { versionMismatch } from './closed-socket';
import { TICKET_ID_HEADER, withIdentity, type SocketIdentity } from './identity';
import { isAllowedOrigin } from './origin';
import { issueTicket, realtimeUrl, type SocketTicket, type TicketEnv } from './socket-ticket';

/** A refusal before the Durable Object is touched, answered in the REST error shape. */
export interface SocketRefusal {
	status: 401 | 403 | 404;
	code: string;
	message: string;
}

/** Which object the socket is for, and optionally the request the object gets (e.g. without a token). */
export interface SocketTarget {
	object: string;
	request?: Request;
	/**
	 * The identity the object trusts, when authorize is where it is learned (the caller's role in this
	 * object, say); it takes the place of `identity(caller)`.
	 */
	identity?: SocketIdentity;
	/** The ticket this socket is opened with (the realtime worker's route): the object redeems it once. */
	ticket?: Pick<SocketTicket, 'id' | 'expiresAt'>;
	/**
	 * The object's onConnect is this socket's authorize step (it knows who may open it, from memory): the
	 * route forwards without its own version check, which the object makes after admitting, so the order
	 * — authorize, then version — is the same and the join costs one object call, not two.
	 */
	admittedByObject?: true;
}

/** What the route is about to do once authorized: hand out a ticket (Pages shape) or forward the upgrade. */
export interface AuthorizeStep {
	/** A ticket is an answer the object never sees, so its authorize step must not be the object's (admittedByObject). */
	forTicket: boolean;
}

/** What a socket route reads of its request: a SvelteKit RequestEvent, or the realtime worker's own. */
export interface SocketEvent {
	request: Request;
	url: URL;
	platform?: Readonly<{ env: Env }>;
}

export interface SocketRouteOptions<I, E extends SocketEvent = RequestEvent> {
	channel: AnyChannel;
	namespace(env: Env): DurableObjectNamespace;
	/** Who is calling (session, device credential, token); null is "sign in first" (401). */
	identify(event: E): I | null | SocketRefusal | Promise<I | null | SocketRefusal>;
	/**
	 * May this caller open this object? Runs only after the upgrade, Origin and identity checks, so a
	 * cross-site page or an anonymous caller never makes the route query D1 or wake an object.
	 */
	authorize(
		event: E,
		caller: I,
		step: AuthorizeStep
	): SocketTarget | SocketRefusal | Promise<SocketTarget | SocketRefusal>;
	/** The identity the object trusts (the header is always overwritten). Default: the caller itself. */
	identity?(caller: I): SocketIdentity;
}

/**
 * The one upgrade path of every socket route, in one order (as partyserver's onBeforeConnect):
 * upgrade header (426) → Origin (403) → identity (401) → the app's authorize (403/404) → protocol version
 * → the Durable Object. A client of another protocol version is accepted and closed at once with
 * CloseCode.reload, because a browser cannot read the HTTP status of a refused upgrade and would only
 * retry; the close tells it to reload instead. Where the object itself knows who may open it (a chat
 * room's members), authorize may leave that step to the object's onConnect (admittedByObject): the object
 * then makes the same two steps, authorize then version, in the call that opens the socket.
 *
 * With PUBLIC_REALTIME_URL set (the Pages shape, sockets on the realtime worker's origin), a page asks
 * the same route for a ticket (a plain GET with TICKET_REQUEST_HEADER) and gets it after the same steps:
 * the upgrade itself then goes to the realtime worker, whose own socketRoute checks the Origin, takes the
 * ticket as the identity, checks the version and forwards to the object. The custom header makes a
 * cross-site fetch a CORS preflight, which this route never approves.
 */
export function socketRoute<I, E extends SocketEvent = RequestEvent>(options: SocketRouteOptions<I, E>) {
	const handler = async (event: E): Promise<Response> => {
		const { request } = event;
		const env = event.platform!.env;
		const wantsTicket = request.headers.get(TICKET_REQUEST_HEADER) === '1' && realtimeUrl(env) !== null;
		if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' && !wantsTicket) {
			return apiError(426, 'upgrade-required', 'Expected a WebSocket upgrade.', { headers: { upgrade: 'websocket' } });
		}
		if (!isAllowedOrigin(request, env.ALLOWED_ORIGINS, env.PUBLIC_ORIGIN)) {
			return apiError(403, 'origin', 'This origin may not open sockets here (see ALLOWED_ORIGINS).');
		}
		const caller = await options.identify(event);
		if (caller === null) return apiError(401, 'unauthenticated', 'Sign in first.');
		if (isRefusal(caller)) return apiError(caller.status, caller.code, caller.message);
		const target = await options.authorize(event, caller, { forTicket: wantsTicket });
		if (isRefusal(target)) return apiError(target.status, target.code, target.message);
		if (wantsTicket && target.admittedByObject)
			throw new Error('socketRoute: a ticket needs an authorize step of its own');
		const identity = target.identity ?? (options.identity ? options.identity(caller) : (caller as SocketIdentity));
		// The version is the realtime worker's to check: it is the one speaking the protocol.
		if (wantsTicket) return ticketResponse(env, options.channel, target.object, target.request ?? request, identity);
		if (!target.admittedByObject) {
			const outdated = versionMismatch(options.channel, event.url);
			if (outdated) return outdated;
		}
		const namespace = options.namespace(env);
		const stub = namespace.get(namespace.idFromName(target.object));
		const forwarded = withIdentity(target.request ?? request, identity);
		if (target.ticket) forwarded.headers.set(TICKET_ID_HEADER, `${target.ticket.id} ${target.ticket.expiresAt}`);
		return stub.fetch(forwarded);
	};
	return handler;
}

/**
 * The URL a page opens on the realtime worker: `<PUBLIC_REALTIME_URL>/<app>/<object>/ws`, with the query
 * the object would have got here (resume points; never a credential: routes strip those from
 * target.request) and the ticket.
 */
async function ticketResponse(
	env: TicketEnv,
	channel: AnyChannel,
	object: string,
	forObject: Request,
	identity: SocketIdentity
): Promise<Response> {
	const ticket = await issueTicket(env, { identity, channel: channel.name, object });
	const url = new URL(`${channel.name}/${encodeURIComponent(object)}/ws`, `${realtimeUrl(env)!.replace(/\/$/, '')}/`);
	for (const [key, value] of new URL(forObject.url).searchParams) url.searchParams.append(key, value);
	url.searchParams.set(TICKET_PARAM, ticket);
	return Response.json({ url: url.href }, { headers: { 'cache-control': 'no-store' } });
}

function isRefusal(value: unknown): value is SocketRefusal {
	return typeof value === 'object' && value !== null && 'status' in value && 'code' in value;
}
