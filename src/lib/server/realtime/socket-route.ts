import type { RequestEvent, RequestHandler } from '@sveltejs/kit';
import { VERSION_PARAM, type AnyChannel } from '$lib/protocol/channel';
import { CloseCode } from '$lib/protocol/close-codes';
import { apiError } from '$lib/server/api-error';
import { withIdentity, type SocketIdentity } from './identity';
import { isAllowedOrigin } from './origin';

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
}

export interface SocketRouteOptions<I> {
	channel: AnyChannel;
	namespace(env: Env): DurableObjectNamespace;
	/** Who is calling (session, device credential, token); null is "sign in first" (401). */
	identify(event: RequestEvent): I | null | SocketRefusal | Promise<I | null | SocketRefusal>;
	/**
	 * May this caller open this object? Runs only after the upgrade, Origin and identity checks, so a
	 * cross-site page or an anonymous caller never makes the route query D1 or wake an object.
	 */
	authorize(event: RequestEvent, caller: I): SocketTarget | SocketRefusal | Promise<SocketTarget | SocketRefusal>;
	/** The identity the object trusts (the header is always overwritten). Default: the caller itself. */
	identity?(caller: I): SocketIdentity;
}

/**
 * The one upgrade path of every socket route, in one order (as partyserver's onBeforeConnect):
 * upgrade header (426) → Origin (403) → identity (401) → the app's authorize (403/404) → protocol version
 * → the Durable Object. A client of another protocol version is accepted and closed at once with
 * CloseCode.reload, because a browser cannot read the HTTP status of a refused upgrade and would only
 * retry; the close tells it to reload instead.
 */
export function socketRoute<I>(options: SocketRouteOptions<I>): RequestHandler {
	return async (event) => {
		const { request } = event;
		const env = event.platform!.env;
		if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
			return apiError(426, 'upgrade-required', 'Expected a WebSocket upgrade.', { headers: { upgrade: 'websocket' } });
		}
		if (!isAllowedOrigin(request, env.ALLOWED_ORIGINS, env.PUBLIC_ORIGIN)) {
			return apiError(403, 'origin', 'This origin may not open sockets here (see ALLOWED_ORIGINS).');
		}
		const caller = await options.identify(event);
		if (caller === null) return apiError(401, 'unauthenticated', 'Sign in first.');
		if (isRefusal(caller)) return apiError(caller.status, caller.code, caller.message);
		const target = await options.authorize(event, caller);
		if (isRefusal(target)) return apiError(target.status, target.code, target.message);
		if (event.url.searchParams.get(VERSION_PARAM) !== String(options.channel.version)) {
			return closedSocket(
				CloseCode.reload,
				`Reload: this page speaks ${options.channel.name} protocol ${event.url.searchParams.get(VERSION_PARAM) ?? 'none'}, the server ${options.channel.version}.`
			);
		}
		const namespace = options.namespace(env);
		const identity = target.identity ?? (options.identity ? options.identity(caller) : (caller as SocketIdentity));
		const stub = namespace.get(namespace.idFromName(target.object));
		return stub.fetch(withIdentity(target.request ?? request, identity));
	};
}

function isRefusal(value: unknown): value is SocketRefusal {
	return typeof value === 'object' && value !== null && 'status' in value && 'code' in value;
}

/** An accepted socket that is closed at once with `code`: the only answer a browser's WebSocket can read. */
function closedSocket(code: number, reason: string): Response {
	const { 0: client, 1: server } = new WebSocketPair();
	server.accept();
	// Close reasons are at most 123 bytes of UTF-8.
	server.close(code, reason.slice(0, 120));
	return new Response(null, { status: 101, webSocket: client });
}
