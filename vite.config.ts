import tailwindcss from '@tailwindcss/vite';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Under `vite dev`, WebSocket upgrades cannot go through SvelteKit's Node middleware to a Durable
// Object, so socket paths are proxied to `wrangler dev` (npm run dev:worker) on 8787.
const workerOrigin = 'http://127.0.0.1:8787';

export default defineConfig({
	plugins: [tailwindcss(), sveltekit()],
	build: {
		// Never inline the codec as a data: URL (Vite inlines assets under 4 KiB): the CSP's connect-src 'self'
		// blocks fetching data: URLs, so the browser loader could not load codec.wasm.
		assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
		rollupOptions: {
			// wrangler's esbuild bundles .wasm as a WebAssembly.Module (Workers cannot compile bytes).
			external: (id) => id.endsWith('.wasm')
		}
	},
	server: {
		proxy: {
			'^/.*/ws$': { target: workerOrigin, ws: true }
		}
	}
});
