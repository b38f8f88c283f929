// The machine's addresses on the local network, and the `wrangler dev` arguments that serve Murmur there:
// shared by `npm run start:lan` (tools/start-lan.mjs) and the end-to-end test that stands in for a phone
// (e2e/swarm-lan.test.ts), so the test runs the same settings the script does. Plain JavaScript.
import { networkInterfaces } from 'node:os';

/**
 * IPv4 addresses a phone on the same network can reach: not loopback, not link-local (169.254/16, which a
 * machine gives itself when no network answered), private ranges (home and office Wi-Fi) first.
 */
export function lanAddresses(interfaces = networkInterfaces()) {
	const found = [];
	for (const entries of Object.values(interfaces)) {
		for (const entry of entries ?? []) {
			const v4 = entry.family === 'IPv4' || entry.family === 4;
			if (v4 && !entry.internal && !entry.address.startsWith('169.254.')) found.push(entry.address);
		}
	}
	const isPrivate = (a) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a);
	return [...found.filter(isPrivate), ...found.filter((a) => !isPrivate(a))];
}

/**
 * `wrangler dev` arguments that listen on every interface and make join links and QR codes use
 * `publicOrigin` (PUBLIC_ORIGIN, see src/lib/server/public-origin.ts).
 */
export function lanWranglerArgs(publicOrigin) {
	return ['--ip', '0.0.0.0', ...(publicOrigin ? ['--var', `PUBLIC_ORIGIN:${publicOrigin}`] : [])];
}
