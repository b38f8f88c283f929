// What every conformance check file here shares: a runner that records each named check's outcome
// instead of stopping at the first failure, and the few assertions they use. Plain JS: workerd loads it
// as is (conformance.capnp embeds it as "checks.js").

/** A fresh list of results and the `check(name, fn)` that runs one check and records `{ name, ok, detail }`. */
export function checkRunner() {
	const results = [];
	const check = async (name, fn) => {
		try {
			await fn();
			results.push({ name, ok: true });
		} catch (error) {
			results.push({ name, ok: false, detail: String(error?.stack ?? error) });
		}
	};
	return { results, check };
}

export function assert(condition, message) {
	if (!condition) throw new Error(`expected ${message}`);
}

export function equal(actual, expected) {
	if (actual !== expected) throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function deepEqual(actual, expected) {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	if (a !== e) throw new Error(`expected ${e}, got ${a}`);
}

/** `fn` must reject with an error whose message matches `pattern`. */
export async function rejects(fn, pattern) {
	try {
		await fn();
	} catch (error) {
		if (!pattern.test(String(error?.message ?? error)))
			throw new Error(`wrong error: ${error?.message ?? error}`, { cause: error });
		return;
	}
	throw new Error(`expected a rejection matching ${pattern}`);
}
