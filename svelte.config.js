import adapter from '@sveltejs/adapter-cloudflare';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pkg from './package.json' with { type: 'json' };

// app.html's one inline script (the theme, applied before first paint) is allowed by its own hash, so the
// CSP still refuses every other inline script. Computed from the file, it cannot drift from the script.
const themeScript = readFileSync(new URL('./src/app.html', import.meta.url), 'utf8').match(
	/<script>([\s\S]*?)<\/script>/
)?.[1];
if (themeScript === undefined) throw new Error('src/app.html: the inline theme script is missing');
const themeScriptHash = `sha256-${createHash('sha256').update(themeScript).digest('base64')}`;

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
				'script-src': ['self', 'wasm-unsafe-eval', themeScriptHash],
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
