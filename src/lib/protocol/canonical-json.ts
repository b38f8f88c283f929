import { z } from 'zod';

/**
 * One canonical text per JSON value, so two devices that computed the same result produce the same bytes
 * (and the same SHA-256) whatever order their objects' keys came in: keys sorted by UTF-16 code units,
 * no whitespace, numbers as ECMAScript prints them (RFC 8785's rules for the values JSON can hold).
 * Anything that is not JSON (undefined, functions, NaN, Infinity, class instances) and anything nested
 * deeper than JSON_MAX_DEPTH is refused with a message, so a hostile result cannot blow the stack.
 */
export const JSON_MAX_DEPTH = 32;

export class NotJsonError extends Error {}

export function canonicalJson(value: unknown): string {
	return encode(value, 0);
}

function encode(value: unknown, depth: number): string {
	if (depth > JSON_MAX_DEPTH) throw new NotJsonError(`nested deeper than ${JSON_MAX_DEPTH} levels`);
	if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new NotJsonError(`${value} is not a JSON number`);
		return JSON.stringify(value);
	}
	if (Array.isArray(value)) return `[${value.map((item) => encode(item, depth + 1)).join(',')}]`;
	if (typeof value === 'object' && isPlain(value)) {
		const entries = Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${encode((value as Record<string, unknown>)[key], depth + 1)}`);
		return `{${entries.join(',')}}`;
	}
	throw new NotJsonError(`a ${typeof value} is not a JSON value`);
}

function isPlain(value: object): boolean {
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

const utf8 = new TextEncoder();

/** Bytes of the canonical encoding, or why `value` is not JSON. */
export function jsonSize(value: unknown): { ok: true; bytes: number; text: string } | { ok: false; error: string } {
	try {
		const text = canonicalJson(value);
		return { ok: true, bytes: utf8.encode(text).byteLength, text };
	} catch (error) {
		if (error instanceof NotJsonError) return { ok: false, error: error.message };
		throw error;
	}
}

/** A JSON value of at most `maxBytes` in canonical form; `what` names it in the error. */
export function boundedJson(maxBytes: number, what: string) {
	return z.unknown().superRefine((value, ctx) => {
		const size = jsonSize(value);
		if (!size.ok) ctx.addIssue({ code: 'custom', message: `${what} must be JSON: ${size.error}.` });
		else if (size.bytes > maxBytes)
			ctx.addIssue({ code: 'custom', message: `${what} is ${size.bytes} bytes; at most ${maxBytes} are allowed.` });
	});
}
