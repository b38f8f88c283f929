/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files } from '$service-worker';

/**
 * The offline app shell (kit.svelte.dev/docs/service-workers): the built app and the static files are
 * cached at install, under a name derived from the build's content-hashed file names, so every build
 * gets its own cache and activation drops the older ones. With it, a workspace visited once opens with
 * no network: its page comes from the pages cache below, its board, docs and unsent edits from the
 * user's IndexedDB, and the sockets sync them when the network is back.
 *
 * Never cached: API responses (/api/…: tokens, images, messages), socket routes (…/ws; WebSockets do not
 * pass through a service worker anyway), anything but GET, other origins, and every page but the
 * workspace's own. Workspace pages (their HTML and __data.json carry the signed-in user's workspace name,
 * role and members) are cached network-first and dropped whenever anyone signs in, up or out on this
 * browser, so the next person never opens the previous one's pages.
 */
const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_PREFIX = 'murmur-shell-';
const SHELL = `${SHELL_PREFIX}${hash(build.join('\n'))}`;
const PAGES = 'murmur-pages';
const SHELL_FILES = new Set([...build, ...files]);
/** Pages whose responses (HTML and __data.json) may be kept: one workspace's board, docs, tasks, members. */
const WORKSPACE_PAGE = /^\/workspace\/(?!__data\.json)[^/]+(\/(docs|members|tasks\/[^/]+))?\/?(__data\.json)?$/;
/** Requests that change who is signed in: the pages cache goes before they are answered. */
const AUTH_CHANGE = /^\/(signin|signup|signout)(\/|$)/;

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(SHELL)
			.then((cache) => cache.addAll([...SHELL_FILES]))
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const name of await caches.keys()) {
				// Older builds' shells go; so do their pages, which point at assets that no longer exist.
				if ((name.startsWith(SHELL_PREFIX) && name !== SHELL) || name === PAGES) await caches.delete(name);
			}
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('fetch', (event) => {
	const url = new URL(event.request.url);
	if (url.origin !== sw.location.origin) return;
	if (AUTH_CHANGE.test(url.pathname)) {
		event.waitUntil(caches.delete(PAGES));
		return;
	}
	if (event.request.method !== 'GET' || url.pathname.startsWith('/api/')) return;
	if (SHELL_FILES.has(url.pathname)) {
		event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(event.request)));
	} else if (WORKSPACE_PAGE.test(url.pathname)) {
		event.respondWith(networkFirst(event.request));
	}
});

/**
 * A workspace page asks to be kept (its layout does, after every navigation: a page reached by a
 * client-side navigation, or loaded before this worker took control, never passed through `fetch`).
 */
sw.addEventListener('message', (event) => {
	const message = event.data as { keep?: unknown } | null;
	if (typeof message?.keep !== 'string') return;
	const url = new URL(message.keep, sw.location.origin);
	if (url.origin !== sw.location.origin || !WORKSPACE_PAGE.test(url.pathname)) return;
	// The page and its data: a reload offline gets the kept server-rendered HTML (its server data inline;
	// the workspace's state comes from the client's own store as it hydrates), a client-side navigation
	// to the page fetches its server data from __data.json instead, so both are kept.
	const data = new URL(`${url.pathname.replace(/\/$/, '')}/__data.json`, url);
	const keep = (target: URL) => networkFirst(new Request(target, { credentials: 'same-origin' })).catch(() => {});
	event.waitUntil(Promise.all([keep(url), keep(data)]));
});

/**
 * The network's answer (kept when it is a 200), or the kept one when the network is unreachable. A
 * page's query (`?doc=…`) does not change its HTML, so the kept copy is looked up without it.
 */
async function networkFirst(request: Request): Promise<Response> {
	try {
		const response = await fetch(request);
		if (response.status === 200) {
			const copy = response.clone();
			await caches.open(PAGES).then((cache) => cache.put(pageKey(request.url), copy));
		}
		return response;
	} catch (error) {
		const kept = await caches.open(PAGES).then((cache) => cache.match(pageKey(request.url)));
		if (kept) return kept;
		throw error;
	}
}

/** The URL a page is kept under: without its query (SvelteKit's __data.json queries name invalidations). */
function pageKey(href: string): string {
	const url = new URL(href);
	url.search = '';
	return url.href;
}

/** FNV-1a of the build's file names: they are content-hashed, so it changes with every build that changes. */
function hash(text: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return (h >>> 0).toString(36);
}
