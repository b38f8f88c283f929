/**
 * What the transpiler worker promises its callers over the service binding (RPC): the app imports these
 * types (`import type` only, so none of the worker's code lands in the app's bundle). Every outcome is
 * data: a bad source, a source over the cap or a transpile that ran out of time comes back as
 * `{ ok: false, errors }`, never as an exception across the binding.
 */

/**
 * One problem with the source. `line` and `column` are 1-based, the column counted in UTF-16 code units
 * as editors (CodeMirror) count them; esbuild reports 0-based UTF-8 byte columns, converted in errors.ts.
 * A problem with the module as a whole (too large, missing an export, out of time) has line 0, column 0.
 */
export interface TranspileError {
	line: number;
	column: number;
	message: string;
}

export type TranspileResult =
	/** `key` names the cached output (a hex SHA-256); `cached` says whether this call read it from KV. */
	{ ok: true; code: string; key: string; cached: boolean } | { ok: false; errors: TranspileError[]; cached: boolean };

/** Counters of this isolate since it started: `transpiles` grows only when esbuild actually ran. */
export interface TranspilerStats {
	esbuildVersion: string;
	/** Calls that ran esbuild (a cache miss). */
	transpiles: number;
	/** Calls answered from the KV cache (or by joining an identical transpile already under way). */
	cacheHits: number;
	/** Calls refused before any work: not a string, or over MAX_SOURCE_BYTES. */
	refused: number;
	/** Transpiles stopped at TRANSPILE_TIMEOUT_MS. */
	timeouts: number;
}

/**
 * A job module is one hand-written file: 64 KiB of source is far more than the examples need (about 2 KiB
 * each), keeps a transpile in the low milliseconds and the cached output well inside KV's 25 MiB values.
 */
export const MAX_SOURCE_BYTES = 64 * 1024;

/**
 * A transpile (including esbuild's first start in a fresh isolate, ~0.5 s on a small machine) must finish
 * in this time, or the caller gets an error and esbuild is restarted for the next call. Cloudflare's CPU
 * limit bounds the isolate too; this bound holds on bare workerd, which has none.
 */
export const TRANSPILE_TIMEOUT_MS = 10_000;

/** The exports every job module must have (see src/lib/swarm/job-examples/job-types.ts for their shape). */
export const JOB_EXPORTS = ['split', 'run', 'merge'] as const;
