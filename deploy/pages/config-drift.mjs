// What may differ between wrangler.toml (the Workers shape, the reference) and the two configs of the
// Pages shape, and what may not. Pure functions over parsed configs, so a test can hand them a drifted
// copy; check-config.mjs runs them on the real files before every Pages build.
import { dirname, resolve } from 'node:path';

/** The worker that exports the Durable Objects in the Pages shape; every Pages DO binding names it. */
export const REALTIME_WORKER = 'murmur-realtime';
/** Vars only the Pages project has: where browsers open sockets in way b. */
const PAGES_ONLY_VARS = ['PUBLIC_REALTIME_URL'];

/**
 * @typedef {{ path: string, config: Record<string, any> }} Located  a parsed config and the file it came from
 * (relative paths inside it, like migrations_dir, are relative to that file).
 */

/** Problems of the Pages project config (deploy/pages/wrangler.toml) against wrangler.toml. */
export function pagesConfigDrift(/** @type {Located} */ main, /** @type {Located} */ pages) {
	const problems = [...compatibilityDrift(main, pages), ...varsDrift(main, pages, PAGES_ONLY_VARS)];
	problems.push(
		...durableObjectDrift(main, pages, (b) => b.script_name === REALTIME_WORKER, `script_name = "${REALTIME_WORKER}"`)
	);
	if (pages.config.migrations?.length)
		problems.push(`has [[migrations]]: the ${REALTIME_WORKER} worker owns the Durable Object migrations`);
	problems.push(...storageDrift(main, pages, ['d1_databases', 'kv_namespaces', 'r2_buckets'], []));
	problems.push(...servicesDrift(main, pages, { optional: false }));
	// Nothing in the app sends to a queue (the ChatRoom does, in the realtime worker), and Pages Functions
	// cannot consume one.
	if (pages.config.queues?.consumers?.length)
		problems.push(`has [[queues.consumers]]: Pages cannot consume a queue; the ${REALTIME_WORKER} worker does`);
	if (pages.config.queues?.producers?.length)
		problems.push(`has [[queues.producers]]: the ChatRoom sends, and it lives in the ${REALTIME_WORKER} worker`);
	return problems;
}

/** Problems of the realtime worker config (deploy/pages/wrangler.realtime.toml) against wrangler.toml. */
export function realtimeConfigDrift(/** @type {Located} */ main, /** @type {Located} */ realtime) {
	const problems = [];
	if (realtime.config.name !== REALTIME_WORKER)
		problems.push(`name is "${realtime.config.name}", but the Pages bindings name "${REALTIME_WORKER}"`);
	problems.push(...compatibilityDrift(main, realtime), ...varsDrift(main, realtime, []));
	problems.push(
		...durableObjectDrift(main, realtime, (b) => b.script_name === undefined, 'no script_name (it exports the class)')
	);
	if (JSON.stringify(realtime.config.migrations ?? []) !== JSON.stringify(main.config.migrations ?? []))
		problems.push('[[migrations]] differ from wrangler.toml: both shapes must create and rename the same classes');
	// The Durable Objects read KV (claim versions); D1 and R2 are the app's, optional here but never different.
	problems.push(...storageDrift(main, realtime, ['kv_namespaces'], ['d1_databases', 'r2_buckets']));
	// The objects call no other worker today (jobs are compiled by the app's routes): optional, never different.
	problems.push(...servicesDrift(main, realtime, { optional: true }));
	// The ChatRoom produces the chat index queue and the consumer writes D1: both live here in this shape.
	problems.push(...queueDrift(main, realtime));
	if ((main.config.queues?.consumers?.length ?? 0) > 0 && !(realtime.config.d1_databases ?? []).length)
		problems.push('has no d1_databases binding, but its queue consumer writes the D1 search index');
	if (String(realtime.config.vars?.ALLOWED_ORIGINS ?? '').includes('*'))
		problems.push(
			'vars.ALLOWED_ORIGINS contains "*": name the Pages origin; any site could open sockets with a stolen ticket'
		);
	if (realtime.config.observability?.redact_query_string !== true)
		problems.push('observability.redact_query_string is not true: socket tickets and tokens ride in query strings');
	return problems;
}

function compatibilityDrift(main, shape) {
	const problems = [];
	if (shape.config.compatibility_date !== main.config.compatibility_date)
		problems.push(
			`compatibility_date "${shape.config.compatibility_date}" differs from wrangler.toml's "${main.config.compatibility_date}"`
		);
	const flags = (c) => [...(c.compatibility_flags ?? [])].sort().join(',');
	if (flags(shape.config) !== flags(main.config))
		problems.push(`compatibility_flags [${flags(shape.config)}] differ from wrangler.toml's [${flags(main.config)}]`);
	return problems;
}

function varsDrift(main, shape, extraAllowed) {
	const mainVars = Object.keys(main.config.vars ?? {});
	const shapeVars = Object.keys(shape.config.vars ?? {});
	return [
		...mainVars.filter((v) => !shapeVars.includes(v)).map((v) => `var ${v} of wrangler.toml is missing`),
		...shapeVars
			.filter((v) => !mainVars.includes(v) && !extraAllowed.includes(v))
			.map((v) => `var ${v} is not in wrangler.toml`)
	];
}

function durableObjectDrift(main, shape, scriptOk, scriptRule) {
	const problems = [];
	const mainBindings = main.config.durable_objects?.bindings ?? [];
	const shapeBindings = shape.config.durable_objects?.bindings ?? [];
	for (const binding of mainBindings) {
		const found = shapeBindings.find((b) => b.name === binding.name);
		if (!found) problems.push(`Durable Object binding ${binding.name} is missing`);
		else if (found.class_name !== binding.class_name)
			problems.push(
				`Durable Object binding ${binding.name} is class ${found.class_name}, wrangler.toml's is ${binding.class_name}`
			);
	}
	for (const binding of shapeBindings) {
		if (!mainBindings.some((b) => b.name === binding.name))
			problems.push(`Durable Object binding ${binding.name} is not in wrangler.toml`);
		if (!scriptOk(binding)) problems.push(`Durable Object binding ${binding.name} needs ${scriptRule}`);
	}
	return problems;
}

/** Queue producers and consumers must equal wrangler.toml's (same bindings, same consumer settings). */
function queueDrift(main, shape) {
	const problems = [];
	for (const kind of ['producers', 'consumers']) {
		const key = kind === 'producers' ? 'binding' : 'queue';
		const want = (main.config.queues?.[kind] ?? []).map((b) => normalized(main, b));
		const have = (shape.config.queues?.[kind] ?? []).map((b) => normalized(shape, b));
		for (const entry of want) {
			const found = have.find((b) => b[key] === entry[key]);
			if (!found) problems.push(`queue ${kind.slice(0, -1)} ${entry[key]} is missing`);
			else if (JSON.stringify(found) !== JSON.stringify(entry))
				problems.push(
					`queue ${kind.slice(0, -1)} ${entry[key]} is ${JSON.stringify(found)}, wrangler.toml's is ${JSON.stringify(entry)}`
				);
		}
		for (const entry of have) {
			if (!want.some((b) => b[key] === entry[key]))
				problems.push(`queue ${kind.slice(0, -1)} ${entry[key]} is not in wrangler.toml`);
		}
	}
	return problems;
}

/** D1, KV and R2 bindings: `required` kinds must equal wrangler.toml's, `optional` kinds may be absent. */
function storageDrift(main, shape, required, optional) {
	const problems = [];
	for (const kind of [...required, ...optional]) {
		const want = (main.config[kind] ?? []).map((b) => normalized(main, b));
		const have = (shape.config[kind] ?? []).map((b) => normalized(shape, b));
		if (optional.includes(kind) && have.length === 0) continue;
		for (const binding of want) {
			const found = have.find((b) => b.binding === binding.binding);
			if (!found) problems.push(`${kind} binding ${binding.binding} is missing`);
			else if (JSON.stringify(found) !== JSON.stringify(binding))
				problems.push(
					`${kind} binding ${binding.binding} is ${JSON.stringify(found)}, wrangler.toml's is ${JSON.stringify(binding)}`
				);
		}
		for (const binding of have) {
			if (!want.some((b) => b.binding === binding.binding))
				problems.push(`${kind} binding ${binding.binding} is not in wrangler.toml`);
		}
	}
	return problems;
}

/**
 * Service bindings (the transpiler worker): the same binding names the same worker and entrypoint in
 * both shapes; `optional` lets a shape have none at all.
 */
function servicesDrift(main, shape, { optional }) {
	const want = main.config.services ?? [];
	const have = shape.config.services ?? [];
	if (optional && have.length === 0) return [];
	const same = (a, b) => a.service === b.service && a.entrypoint === b.entrypoint;
	const problems = [];
	for (const binding of want) {
		const found = have.find((b) => b.binding === binding.binding);
		if (!found) problems.push(`service binding ${binding.binding} is missing`);
		else if (!same(found, binding))
			problems.push(
				`service binding ${binding.binding} names "${found.service}", wrangler.toml's names "${binding.service}"`
			);
	}
	for (const binding of have) {
		if (!want.some((b) => b.binding === binding.binding))
			problems.push(`service binding ${binding.binding} is not in wrangler.toml`);
	}
	return problems;
}

/** A binding with its keys sorted and migrations_dir made absolute, so equal bindings compare equal. */
function normalized(located, binding) {
	const copy = { ...binding };
	if (copy.migrations_dir) copy.migrations_dir = resolve(dirname(located.path), copy.migrations_dir);
	return Object.fromEntries(Object.entries(copy).sort(([a], [b]) => a.localeCompare(b)));
}
