import { z } from 'zod';

/**
 * Who is on the other end of a socket, established by the worker route before the upgrade reaches a
 * Durable Object. The DO trusts it because stubs are reachable only from inside this worker; the
 * header is always overwritten, never passed through from the client.
 */
export const socketIdentitySchema = z.object({
	kind: z.enum(['user', 'device', 'service']),
	id: z.string().min(1).max(128),
	name: z.string().max(128),
	/** Optional app-specific claims (workspace claims version, swarm device credential id, …). */
	claims: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional()
});

export type SocketIdentity = z.infer<typeof socketIdentitySchema>;

export const IDENTITY_HEADER = 'x-murmur-identity';
/**
 * The socket ticket `<id> <expiry ms>` the object must redeem once (socket-ticket.ts), set by the realtime
 * worker's socket route after withIdentity; like the identity, never passed through from a client.
 */
export const TICKET_ID_HEADER = 'x-murmur-ticket-id';

export function withIdentity(request: Request, identity: SocketIdentity): Request {
	const headers = new Headers(request.headers);
	headers.set(IDENTITY_HEADER, JSON.stringify(identity));
	headers.delete(TICKET_ID_HEADER);
	return new Request(request, { headers });
}

export function readIdentity(request: Request): SocketIdentity | null {
	const raw = request.headers.get(IDENTITY_HEADER);
	if (!raw) return null;
	try {
		const parsed = socketIdentitySchema.safeParse(JSON.parse(raw));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}

/**
 * The socket identity of a signed-in person, the same for every app; the avatar rides along as a claim
 * so messages can show it without a lookup.
 */
export function userIdentity(user: { id: string; displayName: string; avatarKey: string | null }): SocketIdentity {
	return {
		kind: 'user',
		id: user.id,
		name: user.displayName,
		claims: user.avatarKey ? { avatarKey: user.avatarKey } : undefined
	};
}
