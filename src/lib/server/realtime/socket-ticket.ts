import { jwtVerify, SignJWT } from 'jose';
import { log } from '$lib/server/log';
import { existingSigningKey, signingKey, type WorkspaceAuthEnv } from '$lib/server/auth/workspace/secrets';
import { socketIdentitySchema, type SocketIdentity } from './identity';

/**
 * Socket tickets, for the Pages shape with sockets on the realtime worker's own origin (PUBLIC_REALTIME_URL,
 * "way b"). The browser's session cookie is not sent cross-site, so the app's socket route, after its
 * usual Origin → identity → authorize steps, signs what it learned into a ticket instead of forwarding the
 * upgrade; the browser opens the socket on the realtime worker with it, and the realtime worker's socket
 * route trusts the ticket as the app route trusts the cookie. A ticket is bound to one identity, one app
 * (the channel's name) and one object, lives 30 s, and is redeemed once: the object it names records its
 * id (RealtimeObject), so a ticket copied from a URL or a log cannot open a second socket.
 */
export interface SocketTicket {
	identity: SocketIdentity;
	channel: string;
	object: string;
	/** The ticket's id and expiry (epoch ms), which the object records to refuse a second use. */
	id: string;
	expiresAt: number;
}

/** Long enough for a page on a slow phone to fetch it and open the socket; short enough to be useless later. */
export const TICKET_TTL_SECONDS = 30;

const AUDIENCE = 'murmur-realtime';
const TYPE = 'murmur-socket-ticket+jwt';

/** The settings tickets need: the shared signing secret (as workspace JWTs) and where sockets open. */
export interface TicketEnv extends WorkspaceAuthEnv {
	PUBLIC_REALTIME_URL?: string;
}

/** The realtime worker's URL when sockets open there (way b); null keeps them on this origin. */
export function realtimeUrl(env: TicketEnv): string | null {
	return env.PUBLIC_REALTIME_URL?.trim() || null;
}

/** `ttlSeconds` other than the default only in tests (an expired ticket). */
export async function issueTicket(
	env: TicketEnv,
	ticket: Omit<SocketTicket, 'id' | 'expiresAt'>,
	ttlSeconds = TICKET_TTL_SECONDS
): Promise<string> {
	return new SignJWT({ idn: ticket.identity, ch: ticket.channel, obj: ticket.object })
		.setProtectedHeader({ alg: 'HS256', typ: TYPE })
		.setAudience(AUDIENCE)
		.setJti(crypto.randomUUID())
		.setIssuedAt()
		.setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
		.sign(await ticketKey(await signingKey(env)));
}

/** The ticket if it is genuine, unexpired and for this app; null otherwise (the caller answers 401). */
export async function verifyTicket(env: TicketEnv, token: string, channel: string): Promise<SocketTicket | null> {
	// Read, never generated here: this runs on the realtime worker, which must use the app's secret.
	const secret = await existingSigningKey(env);
	if (!secret) {
		log('error', 'socket ticket refused: no signing secret (JWT_SECRET unset and none generated in KV yet)', {
			fix: 'set the same JWT_SECRET on both the Pages project and the murmur-realtime worker (`wrangler pages secret put JWT_SECRET` and `wrangler secret put JWT_SECRET -c deploy/pages/wrangler.realtime.toml`)'
		});
		return null;
	}
	try {
		const { payload } = await jwtVerify(token, await ticketKey(secret), {
			algorithms: ['HS256'],
			audience: AUDIENCE,
			typ: TYPE,
			requiredClaims: ['jti', 'exp']
		});
		const identity = socketIdentitySchema.safeParse(payload.idn);
		if (!identity.success || payload.ch !== channel || typeof payload.obj !== 'string') return null;
		return { identity: identity.data, channel, object: payload.obj, id: payload.jti!, expiresAt: payload.exp! * 1000 };
	} catch {
		return null;
	}
}

/**
 * A key of its own, derived from the workspace signing secret (JWT_SECRET, or the generated one in the
 * KV namespace both workers share), so that no workspace JWT is ever a valid ticket or the other way round.
 */
async function ticketKey(signingSecret: Uint8Array): Promise<Uint8Array> {
	const secret = await crypto.subtle.importKey(
		'raw',
		new Uint8Array(signingSecret),
		{ name: 'HMAC', hash: 'SHA-256' },
		false,
		['sign']
	);
	return new Uint8Array(await crypto.subtle.sign('HMAC', secret, new TextEncoder().encode('murmur socket ticket v1')));
}
