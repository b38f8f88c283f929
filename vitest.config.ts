import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests run inside workerd against the real worker (wrangler.toml): real D1 with our migrations, real
 * Durable Objects, real WebSockets. `vite build` must have run (src/worker.ts imports its output).
 */
export default defineConfig(async () => {
	const migrations = await readD1Migrations(here('./drizzle'));
	return {
		plugins: [
			cloudflareTest({
				wrangler: { configPath: './wrangler.toml' },
				miniflare: { bindings: { TEST_MIGRATIONS: migrations } }
			})
		],
		resolve: { alias: { $lib: here('./src/lib'), $wasm: here('./wasm') } },
		test: {
			include: ['src/**/*.spec.ts'],
			setupFiles: ['./src/testing/apply-migrations.ts']
		}
	};
});
