/**
 * The shape of a custom job module, fixed for the editor, the transpiler, the dashboard and the devices:
 *
 *   export function split(input: Input): Chunk[]                     on the owner's dashboard, at submit
 *   export function run(chunk: Chunk): Result | Promise<Result>      on each device, in a sandboxed Web Worker
 *   export function merge(results: Result[], input: Input): Output   on the owner's dashboard, for download
 *
 * Why this shape:
 * - Three plain functions are the MapReduce contract every volunteer-computing system ends up with (BOINC's
 *   work generator, application and assimilator): the owner writes the whole job in one file and the
 *   platform never needs to understand it.
 * - split and merge run in the owner's own browser (sandboxed like run), never on the server: untrusted
 *   code gets no server CPU, and the owner's output never has to live on the server.
 * - Input, Chunk, Result and Output are JSON values, so the coordinator can store, size-cap, validate and
 *   hash them (k devices agree when their results' canonical JSON hashes agree), and the output downloads
 *   as JSON, or as a PNG when merge returns `{ image: { width, height, rgba } }`.
 * - run may be async (crypto.subtle, WebGPU, chunked work), and must be deterministic: a result that
 *   depends on Math.random or the clock loses every vote. Seed a PRNG from the chunk instead.
 * - merge receives the results in chunk order, and the input again, because outputs often need the job's
 *   parameters (an image's width, the number of samples) that no single result carries.
 */

/** What crosses between split, the devices and merge: JSON, nothing else (no Dates, Maps or undefined). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A job module as the dashboard and the device runner load it (after transpiling). */
export interface JobModule<
	Input extends Json = Json,
	Chunk extends Json = Json,
	Result extends Json = Json,
	Output = Json
> {
	split(input: Input): Chunk[];
	run(chunk: Chunk): Result | Promise<Result>;
	merge(results: Result[], input: Input): Output;
}

/** An output the dashboard offers as a PNG: `rgba` holds width × height × 4 bytes, row by row. */
export interface ImageOutput {
	image: { width: number; height: number; rgba: number[] };
}

/** The editor's starting point: the shape, its types and one line of each function to replace. */
export const JOB_TEMPLATE = `/**
 * A Murmur job module. When you submit, your dashboard calls split(input) to cut the work into chunks;
 * each device calls run(chunk) in a sandboxed worker (no network, no page, a time limit per chunk); your
 * dashboard calls merge(results, input) with the results in chunk order, for the download.
 * Everything that crosses is JSON. run must be deterministic: results from k devices are compared.
 * A job module is one file: imports are refused.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Input = { numbers: number };
type Chunk = { from: number; to: number };
type Result = number;
type Output = { sumOfSquares: number };

export function split(input: Input): Chunk[] {
	const chunks: Chunk[] = [];
	for (let from = 0; from < input.numbers; from += 1000) {
		chunks.push({ from, to: Math.min(from + 1000, input.numbers) });
	}
	return chunks;
}

export function run(chunk: Chunk): Result {
	let sum = 0;
	for (let i = chunk.from; i < chunk.to; i++) sum += i * i;
	return sum;
}

export function merge(results: Result[], _input: Input): Output {
	return { sumOfSquares: results.reduce((total, part) => total + part, 0) };
}
`;

/** The template's input, for the submit form. */
export const JOB_TEMPLATE_INPUT = { numbers: 100_000 };
