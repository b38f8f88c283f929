import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChannelError, ChannelWire } from './channel';
import { loadCodec } from '$lib/server/codec';
import { schemaCheck } from './schema-check';
import { workspaceChannel } from './workspace-channel';
import { DOC_BODY_MAX, TASK_TITLE_MAX } from './workspace-events';
import { loggedEvent, pendingEvent } from './workspace-messages';

/**
 * schemaCheck must be sound: whatever it accepts, zod accepts and returns unchanged. Checked on every
 * kind of workspace event and on thousands of mutations of them, each a way a frame could be wrong.
 */

const awkward = ['t', 'quote " \\ /', 'é 日本語 🧑‍🚀', '__proto__', 'constructor', 'x'.repeat(TASK_TITLE_MAX)];

function logged(name: string, args: Record<string, unknown>, seq: number) {
	return {
		name,
		args,
		clientId: 'client-check',
		clientSeq: seq,
		at: 1_764_000_000_000,
		seq,
		parent: seq - 1,
		userId: 'u-1',
		serverAt: 1
	};
}

const samples = awkward.flatMap((text, i) => [
	logged('task.created', { id: `t-${i}`, title: text, status: 'todo', order: i + 0.5, assignee: null }, 9 * i + 1),
	logged('task.created', { id: 'constructor', title: text, status: 'done', order: -i, assignee: 'u-2' }, 9 * i + 2),
	logged('task.titleSet', { id: `t-${i}`, title: text }, 9 * i + 3),
	logged('task.moved', { id: '__proto__', status: 'doing', order: 1e-9 }, 9 * i + 4),
	logged('task.assigned', { id: `t-${i}`, assignee: null }, 9 * i + 5),
	logged('task.deleted', { id: `t-${i}` }, 9 * i + 6),
	logged('doc.created', { id: `d-${i}`, title: '', body: text.repeat(3) }, 9 * i + 7),
	logged('doc.bodySet', { id: `d-${i}`, body: '' }, 9 * i + 8),
	logged('doc.deleted', { id: `d-${i}` }, 9 * i + 9)
]);

/** Replacement values tried at every place of a sample: wrong types, bounds, edge numbers and strings. */
const replacements: unknown[] = [
	undefined,
	null,
	'',
	' padded ',
	'has space',
	'x'.repeat(TASK_TITLE_MAX + 1),
	'y'.repeat(DOC_BODY_MAX + 1),
	'__proto__',
	0,
	-1,
	1.5,
	2 ** 53,
	Number.NaN,
	Number.POSITIVE_INFINITY,
	true,
	{},
	[],
	'todo',
	'task.deleted'
];

/** Every variant of `value` with one place replaced, removed, or given an extra key. */
function* mutations(value: unknown): Generator<unknown> {
	for (const replacement of replacements) yield replacement;
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) {
			for (const inner of mutations(value[i])) yield value.map((x, j) => (j === i ? inner : x));
		}
	} else if (typeof value === 'object' && value !== null) {
		const record = value as Record<string, unknown>;
		yield { ...record, extra: 1 };
		yield Object.assign(JSON.parse('{"__proto__": {"polluted": true}}'), record);
		for (const key of Object.keys(record)) {
			const { [key]: _removed, ...rest } = record;
			yield rest;
			for (const inner of mutations(record[key])) yield { ...record, [key]: inner };
		}
	}
}

function expectSound(schema: z.ZodType, values: Iterable<unknown>) {
	const check = schemaCheck(schema);
	expect(check).not.toBeNull();
	let accepted = 0;
	let total = 0;
	for (const value of values) {
		total++;
		if (!check!(value)) continue;
		accepted++;
		const parsed = schema.safeParse(value);
		if (!parsed.success) throw new Error(`accepted what zod refuses: ${JSON.stringify(value)}`);
		expect(parsed.data).toStrictEqual(value);
	}
	return { accepted, total };
}

describe('schemaCheck', () => {
	it('accepts every kind of logged and pending event zod accepts unchanged', () => {
		expect(expectSound(loggedEvent, samples)).toEqual({ accepted: samples.length, total: samples.length });
		const pending = samples.map(({ name, args, clientId, clientSeq, at }) => ({ name, args, clientId, clientSeq, at }));
		expect(expectSound(pendingEvent, pending).accepted).toBe(pending.length);
	});

	it('never accepts a mutation of an event that zod refuses or would change', () => {
		const { accepted, total } = expectSound(
			loggedEvent,
			samples.flatMap((s) => [...mutations(s)])
		);
		expect(total).toBeGreaterThan(10_000);
		// Some mutations are still valid events (another title, an order of 0): accepted, and zod agrees.
		expect(accepted).toBeGreaterThan(0);
		expect(accepted).toBeLessThan(total / 2);
	});

	it('checks whole pull pages, and leaves to zod what it cannot judge', () => {
		const page = { backendId: 'b', events: samples, head: samples.length, more: false, pullAgain: false, live: false };
		const events = workspaceChannel.server.events.schema;
		expect(expectSound(events, [page, { ...page, burstId: 'x' }]).accepted).toBe(2);
		expect(expectSound(events, mutations(page)).accepted).toBeGreaterThan(0);
		// A title with surrounding spaces is trimmed by zod, an absent assignee defaulted: not "unchanged".
		const untrimmed = logged('task.titleSet', { id: 't', title: ' t ' }, 1);
		const defaulted = logged('task.created', { id: 't', title: 't', status: 'todo', order: 1 }, 1);
		for (const value of [untrimmed, defaulted]) {
			expect(schemaCheck(loggedEvent)!(value)).toBe(false);
			expect(loggedEvent.safeParse(value).success).toBe(true);
		}
		// Schemas with transforms or custom refinements are zod's alone (an assistant message's size check).
		expect(schemaCheck(workspaceChannel.server['assistant-message'].schema)).toBeNull();
		expect(schemaCheck(z.object({ n: z.string().transform(Number) }))).toBeNull();
		expect(schemaCheck(z.object({ s: z.string().email() }))).toBeNull();
	});

	it('a frame it refuses still gets zod’s error, with the path', async () => {
		const wire = new ChannelWire(workspaceChannel, await loadCodec());
		const bad = samples.map((event, i) => (i === 3 ? { ...event, seq: -1 } : event));
		const frame = wire.encodeServer('events', {
			backendId: 'b',
			events: bad as never,
			head: 1,
			more: false,
			pullAgain: false,
			live: false
		});
		expect(() => wire.decodeServer(frame)).toThrow(ChannelError);
		expect(() => wire.decodeServer(frame)).toThrow(/events\.3\.seq/);
	});
});
