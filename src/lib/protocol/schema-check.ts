import type { z } from 'zod';

/**
 * A fast yes/no check compiled from a zod schema, for the frames a client receives in bulk (a 10,000-event
 * catch-up is 10,000 events to validate). zod builds a new output object and an issue list for every
 * field it visits, and cannot compile its parsers where a strict CSP forbids `new Function` (our pages),
 * which made validating a catch-up cost more than decoding and folding it. This walks the schema once and
 * builds plain closures for the subset of zod the contracts use on those paths.
 *
 * It is sound, never complete: it says yes only to values zod accepts and would return unchanged (same
 * keys, same values; only zod's copy is saved), and no to everything else, including what it does not
 * understand — the caller then runs zod itself, which accepts (a key zod strips, a default to fill in, a
 * title to trim) or gives its precise error. So the contract's zod schemas stay the one definition, and a
 * schema this does not cover is simply always validated by zod. Key order is not checked: a client reads
 * fields, never re-serializes what it was sent (the server, which does, keeps zod).
 */
export type Check = (value: unknown) => boolean;

const checks = new WeakMap<z.ZodType, Check | null>();

/** The compiled check of `schema` (cached), or null when it uses anything this does not cover. */
export function schemaCheck(schema: z.ZodType): Check | null {
	let check = checks.get(schema);
	if (check === undefined) {
		check = compile(schema);
		checks.set(schema, check);
	}
	return check;
}

/** The parts of zod 4's schema definitions read here (`schema._zod.def`). */
interface Def {
	type: string;
	checks?: { _zod: { def: CheckDef } }[];
	shape?: Record<string, z.ZodType>;
	catchall?: unknown;
	element?: z.ZodType;
	innerType?: z.ZodType;
	options?: z.ZodType[];
	discriminator?: string;
	values?: unknown[];
	entries?: Record<string, unknown>;
}
interface CheckDef {
	check: string;
	minimum?: number;
	maximum?: number;
	length?: number;
	value?: number;
	inclusive?: boolean;
	format?: string;
	pattern?: RegExp;
	tx?: (value: unknown) => unknown;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function compile(schema: z.ZodType): Check | null {
	const def = defOf(schema);
	const refinements = (def.checks ?? []).map((c) => c._zod.def);
	switch (def.type) {
		case 'string':
			return stringCheck(refinements);
		case 'number':
			return numberCheck(refinements);
		case 'boolean':
			return refinements.length ? null : (v) => typeof v === 'boolean';
		case 'unknown':
		case 'any':
			return refinements.length ? null : () => true;
		case 'literal': {
			const values = def.values ?? [];
			if (refinements.length) return null;
			if (values.length === 1) {
				const only = values[0];
				return (v) => v === only;
			}
			return (v) => values.includes(v);
		}
		case 'enum': {
			const values = Object.values(def.entries ?? {});
			if (refinements.length || !values.every((x) => typeof x === 'string')) return null;
			const allowed = new Set<unknown>(values);
			return (v) => allowed.has(v);
		}
		case 'nullable': {
			const inner = compile(def.innerType!);
			return inner && ((v) => v === null || inner(v));
		}
		case 'optional':
		case 'default': {
			// Present values only: for an absent one zod decides (leaves it out, or fills in the default).
			const inner = compile(def.innerType!);
			return inner && ((v) => v !== undefined && inner(v));
		}
		case 'array': {
			const element = compile(def.element!);
			const length = lengthBounds(refinements);
			if (!element || !length) return null;
			const [min, max] = length;
			return (v) => {
				if (!Array.isArray(v) || v.length < min || v.length > max) return false;
				for (const item of v) if (!element(item)) return false;
				return true;
			};
		}
		case 'object':
			return refinements.length || def.catchall ? null : objectCheck(def.shape ?? {});
		case 'union':
			return refinements.length || !def.discriminator ? null : discriminated(def.discriminator, def.options ?? []);
		default:
			return null; // transforms, pipes, custom refinements, …: zod's to judge
	}
}

/** [min, max] of length checks, or null when another kind of check is among them. */
function lengthBounds(refinements: CheckDef[]): [number, number] | null {
	let min = 0;
	let max = Infinity;
	for (const r of refinements) {
		if (r.check === 'min_length') min = Math.max(min, r.minimum!);
		else if (r.check === 'max_length') max = Math.min(max, r.maximum!);
		else if (r.check === 'length_equals') [min, max] = [Math.max(min, r.length!), Math.min(max, r.length!)];
		else return null;
	}
	return [min, max];
}

/**
 * One closure per string schema, not one per check (a call per check made the hot loop megamorphic):
 * lengths, regex formats, and pure overwrites such as trim — zod replaces the value by tx(value), so it
 * comes out unchanged only if tx leaves it as it is.
 */
function stringCheck(refinements: CheckDef[]): Check | null {
	const patterns: RegExp[] = [];
	const overwrites: ((value: unknown) => unknown)[] = [];
	const lengths: CheckDef[] = [];
	for (const r of refinements) {
		if (r.check === 'string_format') {
			// A global or sticky pattern keeps state between tests; zod's own handling decides those.
			if (r.format !== 'regex' || !r.pattern || r.pattern.global || r.pattern.sticky) return null;
			patterns.push(r.pattern);
		} else if (r.check === 'overwrite') {
			if (!r.tx) return null;
			overwrites.push(r.tx);
		} else lengths.push(r);
	}
	const bounds = lengthBounds(lengths);
	if (!bounds) return null;
	const [min, max] = bounds;
	const pattern = patterns.length === 1 ? patterns[0] : null;
	const overwrite = overwrites.length === 1 ? overwrites[0] : null;
	if (patterns.length > 1 || overwrites.length > 1) {
		return (v) =>
			typeof v === 'string' &&
			v.length >= min &&
			v.length <= max &&
			patterns.every((p) => p.test(v)) &&
			overwrites.every((tx) => tx(v) === v);
	}
	return (v) =>
		typeof v === 'string' &&
		v.length >= min &&
		v.length <= max &&
		(pattern === null || pattern.test(v)) &&
		(overwrite === null || overwrite(v) === v);
}

/** zod 4 numbers are finite (NaN and ±Infinity are refused); then safe-integer format and bounds. */
function numberCheck(refinements: CheckDef[]): Check | null {
	let integer = false;
	let low = -Infinity;
	let lowInclusive = true;
	let high = Infinity;
	let highInclusive = true;
	for (const r of refinements) {
		if (r.check === 'number_format' && r.format === 'safeint') integer = true;
		else if (r.check === 'greater_than' && r.value! >= low) {
			lowInclusive = r.value === low ? lowInclusive && !!r.inclusive : !!r.inclusive;
			low = r.value!;
		} else if (r.check === 'less_than' && r.value! <= high) {
			highInclusive = r.value === high ? highInclusive && !!r.inclusive : !!r.inclusive;
			high = r.value!;
		} else if (r.check !== 'greater_than' && r.check !== 'less_than') return null;
	}
	return (v) =>
		typeof v === 'number' &&
		Number.isFinite(v) &&
		(!integer || Number.isSafeInteger(v)) &&
		(lowInclusive ? v >= low : v > low) &&
		(highInclusive ? v <= high : v < high);
}

/** Exactly the shape's keys (zod would drop any other from its output), each passing its check. */
function objectCheck(shape: Record<string, z.ZodType>): Check | null {
	const fields: { key: string; check: Check; required: boolean; inherited: boolean }[] = [];
	for (const [key, schema] of Object.entries(shape)) {
		if (key === '__proto__') return null;
		const check = compile(schema);
		if (!check) return null;
		// A key Object.prototype also has (toString, constructor) reads as present when it is not.
		const inherited = key in Object.prototype;
		fields.push({ key, check, required: defOf(schema).type !== 'optional', inherited });
	}
	return (v) => {
		if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
		const record = v as Record<string, unknown>;
		let present = 0;
		for (const { key, check, required, inherited } of fields) {
			const value = record[key];
			if (value === undefined || (inherited && !Object.hasOwn(record, key))) {
				// Absent (or explicitly undefined): fine for an optional key only if it is really absent.
				if (required || Object.hasOwn(record, key)) return false;
				continue;
			}
			if (!check(value)) return false;
			present++;
		}
		// Every key checked was own (an inherited one was refused above); no other own key is allowed.
		let keys = 0;
		for (const key in record) if (Object.hasOwn(record, key)) keys++;
		return keys === present;
	};
}

/** A discriminated union: the option its discriminator names (a literal per option), and only that one. */
function discriminated(discriminator: string, options: z.ZodType[]): Check | null {
	const byValue = new Map<unknown, Check>();
	for (const option of options) {
		const def = defOf(option);
		const tag = def.type === 'object' ? def.shape?.[discriminator] : undefined;
		const tagDef = tag && defOf(tag);
		const check = compile(option);
		if (!check || tagDef?.type !== 'literal' || !tagDef.values) return null;
		for (const value of tagDef.values) {
			if (byValue.has(value)) return null;
			byValue.set(value, check);
		}
	}
	return (v) => {
		if (typeof v !== 'object' || v === null) return false;
		const tag = Object.hasOwn(v, discriminator) ? (v as Record<string, unknown>)[discriminator] : undefined;
		const check = byValue.get(tag);
		return check !== undefined && check(v);
	};
}
