// Which Worker secrets the Pages shape needs on both of its workers, and which of them wrangler's listings
// show missing. JWT_SECRET: without it each worker would fall back to a secret generated into KV, and KV
// is eventually consistent, so the realtime worker (which only reads it) could refuse every socket ticket.

export const REQUIRED_SECRETS = ['JWT_SECRET'];

/** Names in `wrangler secret list --format json` (the murmur-realtime worker). */
export function workerSecretNames(json) {
	return JSON.parse(json).map((secret) => secret.name);
}

/** Names in `wrangler pages secret list` (text only: "  - NAME: Value Encrypted" lines). */
export function pagesSecretNames(text) {
	return [...text.matchAll(/^\s*- ([A-Za-z_][A-Za-z0-9_]*): /gm)].map((match) => match[1]);
}

/** The required secrets missing from `names`. */
export function missingSecrets(names) {
	return REQUIRED_SECRETS.filter((name) => !names.includes(name));
}
