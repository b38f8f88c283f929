import { WorkerEntrypoint } from 'cloudflare:workers';
import { MAX_SOURCE_BYTES, TRANSPILE_TIMEOUT_MS, type TranspileResult, type TranspilerStats } from './contract';
import { CACHE_TTL_SECONDS, cacheKey, parseCached, type CachedOutcome } from './cache';
import { wholeModule } from './errors';
import { buildJob, ESBUILD_VERSION } from './esbuild-service';

/** transpiler/wrangler.toml's bindings. */
interface TranspilerEnv {
	TRANSPILE_CACHE: KVNamespace;
}

/** This isolate's counters (see TranspilerStats); module state, as every call gets a new entrypoint object. */
const counters = { transpiles: 0, cacheHits: 0, refused: 0, timeouts: 0 };

/** What one run of esbuild gave, and whether it was stored (a timeout is not). */
type Run = { outcome: CachedOutcome; stored: boolean };

/** Transpiles under way by key: a second identical call joins the first instead of running esbuild again. */
const underWay = new Map<string, Promise<Run>>();

/**
 * The murmur-transpiler worker, reached over RPC through the app's TRANSPILER service binding. RPC
 * rather than an HTTP protocol of our own: the binding carries typed arguments and results (no
 * routes, status codes or JSON envelopes to keep in step), and with no public route it cannot be called
 * from the internet at all.
 */
export default class Transpiler extends WorkerEntrypoint<TranspilerEnv> {
	/** The job module's source → its ES module, or the errors; from the cache when seen before. */
	async transpile(source: unknown): Promise<TranspileResult> {
		const refusal = refuse(source);
		if (refusal) {
			counters.refused++;
			return { ok: false, cached: false, errors: [wholeModule(refusal)] };
		}
		try {
			return await this.transpileChecked(source as string);
		} catch (error) {
			console.error(JSON.stringify({ transpiler: 'failed', error: String(error) }));
			return { ok: false, cached: false, errors: [wholeModule('The transpiler failed; try again.')] };
		}
	}

	stats(): TranspilerStats {
		return { esbuildVersion: ESBUILD_VERSION, ...counters };
	}

	/** No public surface: everything goes through the binding's RPC methods. */
	async fetch(): Promise<Response> {
		return new Response('murmur-transpiler answers over its service binding only.\n', { status: 404 });
	}

	private async transpileChecked(source: string): Promise<TranspileResult> {
		const key = await cacheKey(source);
		const stored = parseCached(await this.readCache(key));
		if (stored) {
			counters.cacheHits++;
			return withKey(stored, key, true);
		}
		const joined = underWay.get(key);
		if (joined) {
			// The same answer as the call it joined; counted as a hit only when that one was cacheable.
			const { outcome, stored } = await joined;
			if (stored) counters.cacheHits++;
			return withKey(outcome, key, stored);
		}
		const running = this.transpileAndStore(key, source);
		underWay.set(key, running);
		try {
			return withKey((await running).outcome, key, false);
		} finally {
			underWay.delete(key);
		}
	}

	/** Runs esbuild and stores the outcome when deterministic (a timeout is not: it is only returned). */
	private async transpileAndStore(key: string, source: string): Promise<Run> {
		counters.transpiles++;
		const { deterministic, ...outcome } = await buildJob(source, TRANSPILE_TIMEOUT_MS);
		if (!deterministic) {
			counters.timeouts++;
			return { outcome, stored: false };
		}
		try {
			await this.env.TRANSPILE_CACHE.put(key, JSON.stringify(outcome), { expirationTtl: CACHE_TTL_SECONDS });
		} catch (error) {
			// The output is still right; only the next identical call pays for esbuild again.
			console.error(JSON.stringify({ transpiler: 'cache-write-failed', error: String(error) }));
		}
		return { outcome, stored: true };
	}

	private async readCache(key: string): Promise<unknown> {
		try {
			return await this.env.TRANSPILE_CACHE.get(key, 'json');
		} catch (error) {
			console.error(JSON.stringify({ transpiler: 'cache-read-failed', error: String(error) }));
			return null;
		}
	}
}

/** Why a source is refused before any work, or null. UTF-16 length ≤ UTF-8 bytes, so a long one is never encoded. */
function refuse(source: unknown): string | null {
	if (typeof source !== 'string') return 'Send the job module as a string of TypeScript.';
	if (source.length > MAX_SOURCE_BYTES || new TextEncoder().encode(source).byteLength > MAX_SOURCE_BYTES)
		return `The job module is over ${MAX_SOURCE_BYTES / 1024} KiB; keep it smaller.`;
	return null;
}

function withKey(outcome: CachedOutcome, key: string, cached: boolean): TranspileResult {
	return outcome.ok ? { ok: true, code: outcome.code, key, cached } : { ok: false, errors: outcome.errors, cached };
}
