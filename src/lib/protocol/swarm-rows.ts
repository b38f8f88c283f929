import { z } from 'zod';
import type { Columns } from './swarm-columns';

export type { Columns };

/**
 * Records as column tuples, the dashboard stream's compact encoding: a list of devices (or jobs, invites,
 * log lines) goes out as arrays of values in a fixed column order rather than as objects, so the field
 * names are not repeated in every row (they were about half of a 1,000-device snapshot's JSON); a changed
 * row goes out as its id followed by (column, value) pairs of the columns that changed. The schemas check
 * every value with the record's own schema and hand the receiver plain records.
 */

/** A record on the wire: its values in column order. */
export type Row = unknown[];
/** A keyed record's changed columns: `[id, column, value, column, value, …]`. */
export type RowChange = unknown[];

export function toRow<V>(record: V, columns: Columns<V>): Row {
	return columns.map((column) => record[column]);
}

/** Values equal as JSON (columns hold primitives, or small JSON like a job's spec). */
function same(a: unknown, b: unknown): boolean {
	return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

/** The columns of keyed row `after` that differ from `before` (same id), or null when none did. */
export function rowChange(before: Row, after: Row): RowChange | null {
	const change: RowChange = [after[0]];
	for (let i = 1; i < after.length; i++) if (!same(before[i], after[i])) change.push(i, after[i]);
	return change.length > 1 ? change : null;
}

function checkColumns(record: z.ZodObject, columns: readonly string[]): void {
	const fields = Object.keys(record.shape);
	const missing = fields.filter((f) => !columns.includes(f));
	if (missing.length > 0 || columns.length !== fields.length || new Set(columns).size !== columns.length)
		throw new Error(`columns [${columns.join(', ')}] must name every field once: missing ${missing.join(', ')}`);
}

function addIssues(ctx: z.RefinementCtx, error: z.ZodError, path: (string | number)[] = []): void {
	for (const issue of error.issues) {
		ctx.addIssue({ code: 'custom', message: issue.message, path: [...path, ...issue.path] });
	}
}

/** One row of `record` (every field, in `columns` order) → the record. A field without a column fails at load. */
export function rowSchema<S extends z.ZodObject>(record: S, columns: Columns<z.output<S>>) {
	checkColumns(record, columns);
	return z
		.array(z.unknown())
		.length(columns.length)
		.transform((row, ctx) => {
			const parsed = record.safeParse(Object.fromEntries(columns.map((column, i) => [column, row[i]])));
			if (parsed.success) return parsed.data as z.output<S>;
			addIssues(ctx, parsed.error);
			return z.NEVER;
		});
}

/** One change of a keyed `record` (`[id, column, value, …]`) → its id and the changed fields. */
export function rowChangeSchema<S extends z.ZodObject>(record: S, columns: Columns<z.output<S>>) {
	checkColumns(record, columns);
	if (columns[0] !== 'id') throw new Error('a keyed record needs id as its first column');
	const fields = record.shape as Record<string, z.ZodType>;
	return z
		.array(z.unknown())
		.min(3)
		.max(2 * columns.length - 1)
		.transform((change, ctx) => {
			if (change.length % 2 === 0) {
				ctx.addIssue({ code: 'custom', message: 'A row change is an id and (column, value) pairs.' });
				return z.NEVER;
			}
			const id = fields.id.safeParse(change[0]);
			if (!id.success) {
				addIssues(ctx, id.error, [0]);
				return z.NEVER;
			}
			const set: Partial<z.output<S>> = {};
			for (let i = 1; i < change.length; i += 2) {
				const index = change[i];
				const column = Number.isInteger(index) ? columns[index as number] : undefined;
				if (!column || index === 0 || Object.hasOwn(set, column)) {
					ctx.addIssue({ code: 'custom', message: `Column ${String(index)} is not a column to change.`, path: [i] });
					return z.NEVER;
				}
				const value = fields[column].safeParse(change[i + 1]);
				if (!value.success) {
					addIssues(ctx, value.error, [i + 1]);
					return z.NEVER;
				}
				(set as Record<string, unknown>)[column] = value.data;
			}
			return { id: id.data as string, set };
		});
}
