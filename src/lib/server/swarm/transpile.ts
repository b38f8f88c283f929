import { apiError } from '$lib/server/api-error';
import { TRANSPILE_TIMEOUT_MS, type TranspileError } from '../../../../transpiler/src/contract';

export { MAX_SOURCE_BYTES } from '../../../../transpiler/src/contract';
export type { TranspileError };

/** A job module compiled, or why not (line/column 1-based; 0:0 for the module as a whole). */
export type CompileResult =
	| { ok: true; code: string; key: string; cached: boolean }
	| { ok: false; errors: { line: number; column: number; message: string }[] };

/**
 * The transpiler worker is not bound, not running or not answering: a fault of the deployment, not of
 * the source, so it is thrown rather than returned, and routes answer it with 503 (unavailableResponse
 * below). Compile errors are never thrown.
 */
export class TranspilerUnavailable extends Error {
	override name = 'TranspilerUnavailable';
}

/**
 * The transpiler gives up after TRANSPILE_TIMEOUT_MS itself; this margin covers a worker that never
 * answers at all (a broken deploy), so an owner's request does not hang with it.
 */
const ANSWER_WITHIN_MS = TRANSPILE_TIMEOUT_MS + 5_000;

/**
 * Compiles an owner's TypeScript job module into the ES module devices run, through the TRANSPILER
 * service binding (murmur-transpiler: esbuild-wasm, cached in KV by a hash of esbuild's version, the
 * options and the source). The one way app code compiles jobs: the compile route and job submission.
 */
export async function compileJob(env: Env, source: string): Promise<CompileResult> {
	const transpiler = (env as Partial<Env>).TRANSPILER;
	if (!transpiler) throw new TranspilerUnavailable('The TRANSPILER service binding is missing.');
	let timer: ReturnType<typeof setTimeout> | undefined;
	const gaveUp = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new TranspilerUnavailable('The transpiler did not answer in time.')),
			ANSWER_WITHIN_MS
		);
	});
	try {
		const result = await Promise.race([transpiler.transpile(source), gaveUp]);
		return result.ok
			? { ok: true, code: result.code, key: result.key, cached: result.cached }
			: { ok: false, errors: result.errors.map(({ line, column, message }) => ({ line, column, message })) };
	} catch (error) {
		if (error instanceof TranspilerUnavailable) throw error;
		throw new TranspilerUnavailable(`The transpiler failed: ${String(error)}`, { cause: error });
	} finally {
		clearTimeout(timer);
	}
}

/** What a route answers when compileJob threw TranspilerUnavailable: 503, and the cause in the log only. */
export function unavailableResponse(error: TranspilerUnavailable): Response {
	console.error(JSON.stringify({ transpiler: 'unavailable', error: error.message }));
	return apiError(503, 'transpiler-unavailable', 'Job modules cannot be compiled right now; try again in a minute.', {
		retryAfterMs: 60_000
	});
}
