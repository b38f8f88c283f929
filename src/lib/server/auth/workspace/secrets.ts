import { log } from '$lib/server/log';

/**
 * The secrets and auth switches of the workspace app. JWT_SECRET and SERVER_BYPASS_TOKEN are Worker
 * secrets (`wrangler secret put`, or `.dev.vars` locally), so `wrangler types` does not know them;
 * this is their one typed view.
 */
export interface WorkspaceAuthEnv {
	WORKSPACE_CLAIMS_VERSION: KVNamespace;
	JWT_SECRET?: string;
	SERVER_BYPASS_TOKEN?: string;
	REQUIRE_AUTH?: string;
	GRACE_PERIOD_SECONDS?: string;
}

/**
 * KV key of the generated signing secret when JWT_SECRET is not set. Users' claim versions live under
 * `user:<id>`, so a key starting with `__` can never collide with one.
 */
export const GENERATED_SECRET_KEY = '__murmur/generated-jwt-secret';
/** 256 bits: HS256's key should be at least as long as its output (RFC 7518 §3.2). */
const GENERATED_SECRET_BYTES = 32;
/** A default when GRACE_PERIOD_SECONDS is unset or invalid: long enough to ride out a network blip. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 60;
/** An upper bound on the grace period, so a typo cannot make expired tokens good for a day. */
const MAX_GRACE_PERIOD_SECONDS = 600;

let cachedKey: { source: string; key: Uint8Array } | null = null;

/**
 * The HS256 key. JWT_SECRET when set; otherwise a random secret generated once and persisted in KV,
 * so `npm start` works with no secret created and tokens stay valid across restarts — with a warning,
 * because a secret in KV is readable by anyone with access to the namespace. Only the app calls this;
 * the realtime worker only reads (existingSigningKey).
 */
export async function signingKey(env: WorkspaceAuthEnv): Promise<Uint8Array> {
	const existing = await existingSigningKey(env);
	if (existing) return existing;
	const bytes = crypto.getRandomValues(new Uint8Array(GENERATED_SECRET_BYTES));
	await env.WORKSPACE_CLAIMS_VERSION.put(GENERATED_SECRET_KEY, toHex(bytes));
	// Read back: if two isolates raced, both settle on whichever write KV kept.
	const stored = (await env.WORKSPACE_CLAIMS_VERSION.get(GENERATED_SECRET_KEY)) ?? toHex(bytes);
	log('warn', 'JWT_SECRET is not set: generated a random workspace signing secret and stored it in KV', {
		fix: 'run `wrangler secret put JWT_SECRET` (or set it in .dev.vars) for production'
	});
	return cache(`kv:${stored}`, stored);
}

/**
 * JWT_SECRET, or the secret the app generated into KV; null when neither is there yet. Never generates:
 * the realtime worker (Pages shape) uses this, because KV is eventually consistent and each isolate caches
 * the key — a second worker generating its own would settle on a different secret and refuse every ticket.
 * Absence is not cached, so the app's secret is picked up once KV shows it.
 */
export async function existingSigningKey(env: WorkspaceAuthEnv): Promise<Uint8Array | null> {
	const configured = env.JWT_SECRET?.trim();
	if (configured) return cachedKey?.source === configured ? cachedKey.key : cache(configured, configured);
	if (cachedKey?.source.startsWith('kv:')) return cachedKey.key;
	const stored = await env.WORKSPACE_CLAIMS_VERSION.get(GENERATED_SECRET_KEY);
	return stored ? cache(`kv:${stored}`, stored) : null;
}

function cache(source: string, secret: string): Uint8Array {
	cachedKey = { source, key: new TextEncoder().encode(secret) };
	return cachedKey.key;
}

/** Forgets the cached key (tests that change JWT_SECRET between cases). */
export function forgetSigningKey() {
	cachedKey = null;
}

/** REQUIRE_AUTH defaults to true; only the literal "false" opens the local demo. */
export function authRequired(env: WorkspaceAuthEnv): boolean {
	return env.REQUIRE_AUTH?.trim().toLowerCase() !== 'false';
}

export function gracePeriodSeconds(env: WorkspaceAuthEnv): number {
	const value = Number(env.GRACE_PERIOD_SECONDS);
	if (!Number.isFinite(value) || value < 0 || env.GRACE_PERIOD_SECONDS === undefined || env.GRACE_PERIOD_SECONDS === '')
		return DEFAULT_GRACE_PERIOD_SECONDS;
	return Math.min(Math.floor(value), MAX_GRACE_PERIOD_SECONDS);
}

/**
 * True when `presented` is the configured SERVER_BYPASS_TOKEN. Unset (or blank) disables the bypass.
 * Compared in constant time over SHA-256 digests, so timing reveals neither content nor length.
 */
export async function isServerBypassToken(env: WorkspaceAuthEnv, presented: string | null): Promise<boolean> {
	const expected = env.SERVER_BYPASS_TOKEN?.trim();
	if (!expected || !presented) return false;
	const [a, b] = await Promise.all([digest(expected), digest(presented)]);
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
	return diff === 0;
}

async function digest(text: string): Promise<Uint8Array> {
	return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function toHex(bytes: Uint8Array): string {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
