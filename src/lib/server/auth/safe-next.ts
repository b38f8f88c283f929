/**
 * Where to send someone after sign-in or sign-up: the `?next=` path when it stays on this site, else `/`.
 *
 * "Starts with one `/`" is not enough. Browsers read `\` as `/` and drop tabs and newlines, so
 * `next=/%5Chost` (`/\host`) and `/%09/host` went to `host`; and dot segments collapse, so `/..//host`
 * resolves to the path `//host`, which a Location header sends to `host` too. So the value must be a
 * path with no backslash or control character, it must resolve on `origin`, the resolved path must not
 * start with `//`, and what is returned is the resolved URL's own path, query and fragment — exactly where
 * the browser will go.
 */
export function sameOriginPath(next: string | null, origin: string): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || UNSAFE_CHARACTER.test(next)) return '/';
	let url: URL;
	try {
		url = new URL(next, origin);
	} catch {
		return '/';
	}
	if (url.origin !== new URL(origin).origin || url.pathname.startsWith('//')) return '/';
	return url.pathname + url.search + url.hash;
}

/** The safe `?next=` of a request to the sign-in or sign-up page (their GET and their form POST). */
export function safeNext(url: URL): string {
	return sameOriginPath(url.searchParams.get('next'), url.origin);
}

/** A backslash, or a C0 control character or DEL (tab, CR and LF among them). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTER = /[\\\u0000-\u001f\u007f]/;
