import * as esbuild from 'esbuild-wasm/esm/browser.js';
// wrangler bundles a .wasm import as a compiled WebAssembly.Module: Workers may not compile from bytes.
import esbuildWasm from 'esbuild-wasm/esbuild.wasm';
import { JOB_EXPORTS, type TranspileError } from './contract';
import { fromEsbuild, wholeModule } from './errors';

export const ESBUILD_VERSION = esbuild.version;

/**
 * The options of every transpile, part of the cache key (with refuseImports below, whose behaviour the
 * cache format version in cache.ts stands for). es2022/esm is what every browser that can lend its CPU
 * runs (module workers, top-level await); `bundle` makes esbuild resolve imports, which refuseImports
 * then refuses.
 */
export const JOB_BUILD_OPTIONS = {
	bundle: true,
	format: 'esm',
	target: 'es2022',
	platform: 'neutral',
	loader: 'ts',
	sourcefile: 'job.ts',
	legalComments: 'none',
	charset: 'utf8'
} as const;

/** `deterministic`: the same source always gives this outcome, so it may be cached. */
export type BuildOutcome =
	{ ok: true; code: string; deterministic: true } | { ok: false; errors: TranspileError[]; deterministic: boolean };

/**
 * A job module is one file: a device's sandbox has no network to load another module from, so every
 * import is a compile error at the import, rather than esbuild's "Cannot read directory" with no place.
 */
const refuseImports: esbuild.Plugin = {
	name: 'refuse-imports',
	setup(build) {
		build.onResolve({ filter: /.*/ }, ({ path }) => ({
			errors: [{ text: `A job module is one file and cannot import "${path}".` }]
		}));
	}
};

let started: Promise<void> | undefined;

/**
 * Starts esbuild once per isolate, on the first call rather than at module load: a Worker may not start
 * timers or do async work outside a request. `worker: false` runs esbuild's Go runtime on this thread
 * (Workers have no Web Worker to put it in).
 */
function ready(): Promise<void> {
	started ??= esbuild.initialize({ wasmModule: esbuildWasm, worker: false }).catch((error: unknown) => {
		started = undefined; // a later call starts over instead of reusing the failure
		throw error;
	});
	return started;
}

/**
 * Transpiles one job module, within `timeoutMs` (start-up included). Compile errors, imports and a
 * missing export are deterministic: the same source always gives them, so they may be cached. Running
 * out of time is not: esbuild is stopped (a later call starts it afresh) and the caller is told.
 * The timer fires whenever esbuild's Go runtime yields to the event loop (between its service
 * messages); a single synchronous stretch of Go cannot be interrupted from JavaScript, which is why the
 * source cap comes first and Cloudflare's CPU limit stays the outer bound.
 */
export async function buildJob(source: string, timeoutMs: number): Promise<BuildOutcome> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
	try {
		const outcome = await Promise.race([runBuild(source), timedOut]);
		if (outcome !== 'timeout') return outcome;
		await esbuild.stop();
		started = undefined;
		const seconds = timeoutMs / 1000;
		return { ok: false, deterministic: false, errors: [wholeModule(`Transpiling took longer than ${seconds} s.`)] };
	} finally {
		clearTimeout(timer);
	}
}

async function runBuild(source: string): Promise<BuildOutcome> {
	await ready();
	const { sourcefile, loader, ...options } = JOB_BUILD_OPTIONS;
	let result: esbuild.BuildResult<{ write: false; metafile: true }>;
	try {
		result = await esbuild.build({
			...options,
			stdin: { contents: source, sourcefile, loader },
			write: false,
			metafile: true,
			outfile: 'job.js',
			logLevel: 'silent',
			plugins: [refuseImports]
		});
	} catch (failure) {
		if (isBuildFailure(failure)) return { ok: false, deterministic: true, errors: fromEsbuild(failure.errors) };
		throw failure;
	}
	const missing = JOB_EXPORTS.filter((name) => !exportsOf(result.metafile).includes(name));
	if (missing.length) {
		const list = missing.map((name) => `"${name}"`).join(', ');
		return { ok: false, deterministic: true, errors: [wholeModule(`A job module must export ${list}.`)] };
	}
	return { ok: true, deterministic: true, code: result.outputFiles[0].text };
}

function exportsOf(metafile: esbuild.Metafile): string[] {
	return Object.values(metafile.outputs).flatMap((output) => output.exports);
}

function isBuildFailure(error: unknown): error is esbuild.BuildFailure {
	return error instanceof Error && Array.isArray((error as Partial<esbuild.BuildFailure>).errors);
}
