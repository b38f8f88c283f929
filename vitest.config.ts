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
 * - node: tests that need Node-only references (node:zlib, lz4-napi, lz4js, lz4-wasm-nodejs), i.e. the
 *   codec's interop, property and fuzz tests (`*.node.spec.ts`, `wasm/**\/*.spec.ts`).
 */
export default defineConfig(async () => {
	const migrations = await readD1Migrations(here('./drizzle'));
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
									PUBLIC_REALTIME_URL: 'http://realtime.test'
								},
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
						setupFiles: ['./src/testing/apply-migrations.ts']
					}
				},
				{
					resolve: { alias },
					test: {
						name: 'node',
						environment: 'node',
						include: ['src/**/*.node.spec.ts', 'wasm/**/*.spec.ts', 'deploy/**/*.node.spec.ts'],
						// The CI fuzz run (wasm/test/fuzz.spec.ts) takes tens of seconds on a small machine.
						testTimeout: 120_000
					}
				}
			]
		}
	};
});
