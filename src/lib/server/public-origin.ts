/**
 * PUBLIC_ORIGIN: the origin other devices reach this server at (a phone on the same Wi-Fi, or the address
 * behind a reverse proxy), e.g. `http://192.168.1.20:8787` as `npm run start:lan` sets it. Links meant for
 * another device (the swarm's QR code and join links) use it, and the Origin check allows it. Unset, links
 * use the origin the request came in on. A wrangler var on Cloudflare and under `wrangler dev`, an
 * environment variable for self-hosted workerd (deploy/workerd/murmur.capnp).
 */

/** PUBLIC_ORIGIN as a bare origin (`scheme://host[:port]`), or null when unset or not an http(s) URL. */
export function configuredPublicOrigin(value: string | undefined): string | null {
	if (!value?.trim()) return null;
	try {
		const url = new URL(value.trim());
		return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
	} catch {
		return null;
	}
}

/** The origin to put in links for other devices: PUBLIC_ORIGIN when set, else this request's own. */
export function publicOrigin(env: Pick<Env, 'PUBLIC_ORIGIN'>, url: URL): string {
	return configuredPublicOrigin(env.PUBLIC_ORIGIN) ?? url.origin;
}
