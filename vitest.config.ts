import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const alias = { $lib: here('./src/lib'), $wasm: here('./wasm') };

/**
 * Two projects:
 * - workerd: tests run inside workerd against the real worker (wrangler.toml): real D1 with our
 *   migrations, real Durable Objects, real WebSockets. `vite build` must have run (src/worker.ts
 *   imports its output).
 *   The app's TRANSPILER service binding reaches the real murmur-transpiler worker as an auxiliary worker,
 *   from the bundle `npm run build` writes to dist/transpiler (real esbuild-wasm, a KV namespace of its own).
 * - node: tests that need Node-only references (node:zlib, lz4-napi, lz4js, lz4-wasm-nodejs), i.e. the
 *   codec's interop, property and fuzz tests (`*.node.spec.ts`, `wasm/**\/*.spec.ts`).
 */
/** A free loopback port for the local LLM server (src/testing/llm-global-setup.ts), known before workerd starts. */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

export default defineConfig(async () => {
	const migrations = await readD1Migrations(here('./drizzle'));
	// The worker's own LLM_BASE_URL points at the local OpenAI-compatible server, so route specs reach it too.
	process.env.LLM_TEST_PORT ??= String(await freePort());
	const llmBaseUrl = `http://127.0.0.1:${process.env.LLM_TEST_PORT}/v1`;
	return {
		test: {
			projects: [
				{
					plugins: [
						cloudflareTest({
							wrangler: { configPath: './wrangler.toml' },
							// TEST_SEED replays a randomised test (src/testing/seeded-random.ts).
							// PUBLIC_REALTIME_URL: socket-ticket.spec.ts asks the app for tickets (only requests that ask get one).
							miniflare: {
								bindings: {
									TEST_MIGRATIONS: migrations,
									TEST_SEED: process.env.TEST_SEED ?? '',
									PUBLIC_REALTIME_URL: 'http://realtime.test',
									LLM_BASE_URL: llmBaseUrl,
									LLM_MODEL: 'route-model',
									LLM_API_KEY: 'sk-route-test-key-never-logged'
								},
								workers: transpilerWorker(),
								// A D1 database no migration is applied to: the chat index spec's real write failure.
								d1Databases: { UNMIGRATED_DB: 'unmigrated' }
							}
						})
					],
					resolve: { alias },
					test: {
						name: 'workerd',
						include: ['src/**/*.spec.ts'],
						exclude: ['**/*.node.spec.ts'],
						setupFiles: ['./src/testing/apply-migrations.ts'],
						// The local OpenAI-compatible server the assistant's specs talk to (no internet here).
						globalSetup: ['./src/testing/llm-global-setup.ts']
					}
				},
				{
					resolve: { alias },
					test: {
						name: 'node',
						environment: 'node',
						include: [
							'src/**/*.node.spec.ts',
							'wasm/**/*.spec.ts',
							'deploy/**/*.node.spec.ts',
							'e2e/bench/**/*.node.spec.ts'
						],
						// The CI fuzz run (wasm/test/fuzz.spec.ts) takes tens of seconds on a small machine.
						testTimeout: 120_000
					}
				}
			]
		}
	};
});

/**
 * murmur-transpiler as wrangler bundled it (`npm run build:transpiler`): its entry and the content-hashed
 * esbuild.wasm it imports, declared one by one as the plugin wants an auxiliary worker's modules.
 */
function transpilerWorker() {
	const dir = here('./dist/transpiler');
	if (!existsSync(`${dir}/index.js`)) {
		console.warn('vitest: dist/transpiler is missing (run `npm run build`): TRANSPILER calls will fail.');
		return [];
	}
	const wasm = readdirSync(dir).filter((file) => file.endsWith('.wasm'));
	const config = readFileSync(here('./transpiler/wrangler.toml'), 'utf8');
	const worker = {
		name: 'murmur-transpiler',
		compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(config)?.[1],
		modulesRoot: dir,
		modules: [
			{ type: 'ESModule' as const, path: `${dir}/index.js` },
			...wasm.map((file) => ({ type: 'CompiledWasm' as const, path: `${dir}/${file}` }))
		],
		kvNamespaces: ['TRANSPILE_CACHE']
	};
	return [worker];
}
