// The Cache API backend (`cacheApiOutbound`) on bare workerd. SvelteKit's Cloudflare worker calls
// `caches.default` on every request, and workerd throws "No Cache was configured" without a backend.
// This one stores nothing: every lookup misses, so each request is rendered fresh, which is what a single
// self-hosted process wants (a reverse proxy in front can cache if needed). Cloudflare's edge cache is one
// of the things self-hosting does not have.
export default {
	fetch(request) {
		if (request.method === 'PUT') return new Response(null, { status: 204 });
		if (request.method === 'PURGE') return new Response(null, { status: 404 });
		return new Response(null, { status: 504, headers: { 'cf-cache-status': 'MISS' } });
	}
};
