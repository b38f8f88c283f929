// Lets a benchmark run the app's own browser modules under Node: they import `$lib/…` and extension-less
// siblings (Vite resolves them), and the contract's classes use parameter properties, which Node's default
// type stripping refuses. Registering these hooks teaches Node the two resolution rules and transforms
// (not only strips) the app's TypeScript, so a benchmark runs the browser's sync code and the contract
// themselves rather than a copy of their logic. Several checkouts may be loaded side by side (this one
// and a reference build of another commit, workspace-reference.ts): `$lib/` resolves inside the checkout
// of the importing file.
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { pathToFileURL } from 'node:url';

const roots: string[] = [];

/** The `src/lib/` URL of the checkout whose file is importing, if it is one of the registered ones. */
function libOf(parentURL: string | undefined): string | undefined {
	return parentURL ? roots.find((lib) => parentURL.startsWith(lib)) : undefined;
}

let registered = false;

/** Makes the TypeScript under `<checkout>/src/lib/` loadable; returns that directory's URL. */
export function registerCheckout(checkout: string | URL): URL {
	const lib = new URL('src/lib/', typeof checkout === 'string' ? pathToFileURL(`${checkout}/`) : checkout);
	if (!roots.includes(lib.href)) roots.push(lib.href);
	if (!registered) {
		registered = true;
		registerHooks({
			resolve(specifier, context, next) {
				const lib = libOf(context.parentURL);
				if (lib && specifier.startsWith('$lib/')) return next(new URL(`${specifier.slice(5)}.ts`, lib).href, context);
				if (lib && specifier.startsWith('.') && !/\.\w+$/.test(specifier)) {
					return next(new URL(`${specifier}.ts`, context.parentURL).href, context);
				}
				return next(specifier, context);
			},
			load(url, context, next) {
				const loaded = next(url, context);
				if (!libOf(url) || !url.endsWith('.ts')) return loaded;
				const source = stripTypeScriptTypes(String(loaded.source), { mode: 'transform', sourceUrl: url });
				return { ...loaded, format: 'module', source };
			}
		});
	}
	return lib;
}
