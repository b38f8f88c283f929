import { z } from 'zod';

/** What /api/workspace/token answers (its errors are refused by `response.ok` first). */
const issuedToken = z.object({ token: z.string().min(1) });
/** The JWT claims this needs: when it was issued and when it expires (seconds). */
const tokenTimes = z.object({ iat: z.number(), exp: z.number() });

/**
 * A held token is offered again only while at least this share of its lifetime is left, so a socket
 * opened with it still has minutes before the server closes it for expiry (4002) and a fresh one is
 * fetched then.
 */
export const TOKEN_REUSE_MIN_LIFE_SHARE = 0.5;

/**
 * The page's workspace JWT for its socket (re)connects. Fetching one (session lookup, claims version,
 * memberships, signing) cost about as much as the socket upgrade itself, so a token the server has
 * accepted is used again on the next reconnect while enough of its life is left — a dropped network is
 * the common reconnect, and nothing about the token changed. Revocation is unchanged: the upgrade checks
 * the claims version every time and the object closes sockets whose claims changed or expired. Every
 * other case fetches a fresh one: the first connect, a token no socket opened with (the upgrade was
 * refused, e.g. claims-stale, or never got through), and after `forget()` (the server closed the socket
 * for its token's sake: claims changed, token expired).
 *
 * Its life is counted from when the request for it started, on this device's clock, as the token's own
 * lifetime (exp − iat), so a device clock set wrong does not make an expired token look good.
 */
export class WorkspaceToken {
	private held: Promise<Held> | null = null;
	/** unused: fetched, not yet handed out; tried: handed out; accepted: a socket opened with it. */
	private state: 'unused' | 'tried' | 'accepted' = 'unused';
	private readonly request: () => Promise<Response>;
	private readonly now: () => number;

	// Plain fields, not parameter properties: the benchmark runs this file under Node's type stripping.
	constructor(request: () => Promise<Response>, now: () => number = () => Date.now()) {
		this.request = request;
		this.now = now;
	}

	/** Starts fetching a token now, so the first connect overlaps it with other work (stores, codec). */
	prefetch(): void {
		if (this.held === null) this.fetch('unused');
	}

	/** The token for the next connection attempt; throws when the request fails (the socket backs off). */
	async forConnect(): Promise<string> {
		if (this.held !== null && this.state !== 'tried') {
			const held = await this.held.catch(() => null);
			if (held !== null && this.now() <= held.reuseUntil) {
				this.state = 'tried';
				return held.token;
			}
		}
		return (await this.fetch('tried')).token;
	}

	/** A socket opened with the token last handed out: the server accepted it. */
	accepted(): void {
		if (this.state === 'tried') this.state = 'accepted';
	}

	/** The server closed the socket for its token's sake (claims changed, token expired): never reuse it. */
	forget(): void {
		this.held = null;
		this.state = 'unused';
	}

	private fetch(state: 'unused' | 'tried'): Promise<Held> {
		const requestedAt = this.now();
		const held = this.request().then(async (response) => {
			if (!response.ok) throw new Error(`token request failed (${response.status})`);
			const { token } = issuedToken.parse(await response.json());
			return { token, reuseUntil: requestedAt + lifetimeMs(token) * TOKEN_REUSE_MIN_LIFE_SHARE };
		});
		held.catch(() => {}); // a failed prefetch is retried by forConnect, not reported unhandled
		this.held = held;
		this.state = state;
		return held;
	}
}

interface Held {
	token: string;
	/** On this device's clock: after this, fetch a fresh one rather than offer this one again. */
	reuseUntil: number;
}

/** The token's lifetime by its own claims (exp − iat), in ms; 0 (never reused) when they cannot be read. */
function lifetimeMs(token: string): number {
	try {
		const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
		const times = tokenTimes.safeParse(JSON.parse(atob(payload)));
		return times.success ? Math.max(0, times.data.exp - times.data.iat) * 1000 : 0;
	} catch {
		return 0;
	}
}
