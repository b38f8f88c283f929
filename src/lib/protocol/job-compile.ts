import { z } from 'zod';
import { MAX_SOURCE_BYTES } from '../../../transpiler/src/contract';

/**
 * The job editor's "Check" (POST /api/swarm/<id>/jobs/compile): the request both ends validate and the
 * answer the editor shows. Compile errors are data (200, `ok: false`), as the transpiler returns them.
 */

export { MAX_SOURCE_BYTES };

/**
 * A JSON body holding a source of MAX_SOURCE_BYTES: escaping (quotes, newlines, tabs) grows ordinary
 * code by well under 2×; a source that still does not fit gets 413, one that fits but is over the
 * source cap gets the transpiler's own error.
 */
export const JOB_SOURCE_BODY_MAX_BYTES = 2 * MAX_SOURCE_BYTES + 1024;

export const compileRequest = z.object({ source: z.string() });

/** One error to show: line and column 1-based (UTF-16, as CodeMirror counts); 0:0 is the module as a whole. */
export const compileError = z.object({ line: z.number().int(), column: z.number().int(), message: z.string() });
export type CompileError = z.infer<typeof compileError>;

export const compileAnswer = z.discriminatedUnion('ok', [
	/**
	 * `key` names the compiled module in the transpiler's cache; `cached`: it was compiled before. `code`:
	 * the module itself, which the dashboard's sandbox runs split() of before submitting.
	 */
	z.object({ ok: z.literal(true), key: z.string(), cached: z.boolean(), bytes: z.number().int(), code: z.string() }),
	z.object({ ok: z.literal(false), errors: z.array(compileError) })
]);
export type CompileAnswer = z.infer<typeof compileAnswer>;
