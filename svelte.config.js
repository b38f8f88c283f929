import adapter from '@sveltejs/adapter-cloudflare';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import pkg from './package.json' with { type: 'json' };

/**
 * `MURMUR_SHAPE=pages` (`npm run build:pages`) builds the Pages shape: the adapter reads the Pages config,
 * whose `pages_build_output_dir` makes it write `_worker.js` and `_routes.json` for Pages Functions into
 * .svelte-kit/cloudflare-pages. Otherwise it builds for the one Worker (src/worker.ts imports its output).
 */
const pagesShape = process.env.MURMUR_SHAPE === 'pages';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({
			// The adapter overwrites `main` of the config it reads, so it gets its own tiny config and
			// wrangler.toml keeps `main = "src/worker.ts"` (which re-exports the Durable Objects).
			config: pagesShape ? 'deploy/pages/wrangler.toml' : 'wrangler.sveltekit.toml',
			// `vite dev` cannot host same-worker Durable Objects; this config reaches them in a running
			// `wrangler dev` through `script_name` (see README, "Developing with vite dev").
			platformProxy: { configPath: 'wrangler.vitedev.toml', persist: true }
		}),
		alias: { $wasm: 'wasm' },
		version: { name: pkg.version },
		// SvelteKit's CSRF check: form posts must come from our own origin.
		csrf: { trustedOrigins: [] },
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				// 'wasm-unsafe-eval' lets the browser compile the codec we ship; nothing else is eval'd.
				'script-src': ['self', 'wasm-unsafe-eval'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'connect-src': ['self'],
				'worker-src': ['self', 'blob:'],
				'frame-ancestors': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'object-src': ['none']
			}
		}
	}
};

export default config;
