// The ASSETS binding on bare workerd: SvelteKit's worker fetches its static files (/_app/*, favicon,
// prerendered pages) through `env.ASSETS`, which on Cloudflare is the assets service. A plain workerd `disk`
// service serves files as application/octet-stream (browsers refuse module scripts typed that way) and
// lists directories as JSON, so this worker sits in front of it: it adds the MIME type and the cache
// headers SvelteKit's `_headers` file asks for, serves `dir/index.html`, and never serves the build's own
// files (_worker.js and friends, which the bundle step leaves out anyway).

const MIME_TYPES = {
	html: 'text/html; charset=utf-8',
	js: 'text/javascript; charset=utf-8',
	mjs: 'text/javascript; charset=utf-8',
	css: 'text/css; charset=utf-8',
	json: 'application/json',
	map: 'application/json',
	txt: 'text/plain; charset=utf-8',
	xml: 'application/xml',
	webmanifest: 'application/manifest+json',
	svg: 'image/svg+xml',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	avif: 'image/avif',
	ico: 'image/x-icon',
	wasm: 'application/wasm',
	woff: 'font/woff',
	woff2: 'font/woff2',
	ttf: 'font/ttf',
	otf: 'font/otf'
};

/** SvelteKit's _headers: hashed files never change; everything else must be revalidated. */
const IMMUTABLE = 'public, immutable, max-age=31536000';
const REVALIDATE = 'no-cache';

/** Build files that must never be public (the worker bundle would reveal server code). */
const HIDDEN = /(^|\/)(_worker\.js|_headers|_redirects|_routes\.json|\.assetsignore)(\/|$)/;

export default {
	async fetch(request, env) {
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			return new Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
		}
		let path;
		try {
			path = decodeURIComponent(new URL(request.url).pathname);
		} catch {
			return notFound();
		}
		if (HIDDEN.test(path) || path.includes('/.') || path.includes('..')) return notFound();
		const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}/index.html`, `${path}.html`];
		for (const candidate of candidates) {
			const file = await env.DISK.fetch(new URL(encodePath(candidate), 'http://disk'), { method: request.method });
			// A directory answers with a JSON listing; only files count.
			if (!file.ok || file.headers.get('content-type') === 'application/json') continue;
			const headers = new Headers(file.headers);
			headers.set('content-type', MIME_TYPES[extension(candidate)] ?? 'application/octet-stream');
			headers.set('cache-control', path.startsWith('/_app/immutable/') ? IMMUTABLE : REVALIDATE);
			headers.set('x-content-type-options', 'nosniff');
			if (path.startsWith('/_app/')) headers.set('x-robots-tag', 'noindex');
			return new Response(file.body, { status: 200, headers });
		}
		return notFound();
	}
};

function extension(path) {
	const name = path.slice(path.lastIndexOf('/') + 1);
	const dot = name.lastIndexOf('.');
	return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function encodePath(path) {
	return path.split('/').map(encodeURIComponent).join('/');
}

function notFound() {
	return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
