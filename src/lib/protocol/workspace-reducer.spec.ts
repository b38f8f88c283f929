import { describe, expect, it } from 'vitest';
import { workspaceEvent, type WorkspaceEvent } from './workspace-events';
import { applyEvent, columnTasks, orderAt, orderAtEnd, replay } from './workspace-reducer';

const created = (id: string, status: 'todo' | 'doing' | 'done' = 'todo', order = 1): WorkspaceEvent => ({
	name: 'task.created',
	args: { id, title: `Task ${id}`, status, order, assignee: null }
});

describe('workspace reducer', () => {
	it('materialises tasks with title, status, assignee and order', () => {
		const state = replay([
			created('a'),
			{ name: 'task.titleSet', args: { id: 'a', title: 'Write spec' } },
			{ name: 'task.assigned', args: { id: 'a', assignee: 'user-1' } },
			{ name: 'task.moved', args: { id: 'a', status: 'doing', order: 5 } }
		]);
		expect(state.tasks.a).toEqual({ id: 'a', title: 'Write spec', status: 'doing', order: 5, assignee: 'user-1' });
	});

	it('materialises docs with title and body, last writer per field wins', () => {
		const state = replay([
			{ name: 'doc.created', args: { id: 'd', title: 'Notes', body: '' } },
			{ name: 'doc.bodySet', args: { id: 'd', body: 'first' } },
			{ name: 'doc.titleSet', args: { id: 'd', title: 'Meeting notes' } },
			{ name: 'doc.bodySet', args: { id: 'd', body: 'second' } }
		]);
		expect(state.docs.d).toEqual({ id: 'd', title: 'Meeting notes', body: 'second' });
	});

	it('ignores edits to deleted or unknown entities and duplicate creates', () => {
		const state = replay([
			created('a'),
			{ name: 'task.deleted', args: { id: 'a' } },
			{ name: 'task.titleSet', args: { id: 'a', title: 'ghost' } },
			{ name: 'task.moved', args: { id: 'zzz', status: 'done', order: 1 } },
			{ name: 'doc.bodySet', args: { id: 'nope', body: 'x' } },
			created('b'),
			{ ...created('b'), args: { ...(created('b').args as object), title: 'dup' } } as WorkspaceEvent,
			{ name: 'doc.deleted', args: { id: 'nope' } }
		]);
		expect(Object.keys(state.tasks)).toEqual(['b']);
		expect(state.tasks.b.title).toBe('Task b');
		expect(state.docs).toEqual({});
	});

	it('never mutates its input state', () => {
		const before = replay([created('a')]);
		const snapshot = structuredClone(before);
		applyEvent(before, { name: 'task.titleSet', args: { id: 'a', title: 'changed' } });
		applyEvent(before, { name: 'task.deleted', args: { id: 'a' } });
		expect(before).toEqual(snapshot);
	});

	it('is deterministic: replaying the same log twice gives equal states', () => {
		const log: WorkspaceEvent[] = [created('a'), created('b', 'done', 2), { name: 'task.deleted', args: { id: 'a' } }];
		expect(replay(log)).toEqual(replay(log));
		expect(replay(log.slice(1), replay(log.slice(0, 1)))).toEqual(replay(log));
	});

	it('orders columns by order then id, and computes orders for moves', () => {
		const state = replay([created('c', 'todo', 2), created('a', 'todo', 1), created('b', 'todo', 2)]);
		expect(columnTasks(state, 'todo').map((t) => t.id)).toEqual(['a', 'b', 'c']);
		expect(orderAtEnd(state, 'todo')).toBe(3);
		expect(orderAtEnd(state, 'done')).toBe(1);
		expect(orderAt(state, 'todo', 0)).toBe(0);
		expect(orderAt(state, 'todo', 1)).toBe(1.5);
		// Moving 'a' down one place: between b and c, ignoring a's own slot.
		expect(orderAt(state, 'todo', 1, 'a')).toBe(2);
	});
});

describe('workspace event schemas', () => {
	it('accept valid events and reject bad ones with a reason', () => {
		expect(workspaceEvent.safeParse(created('a')).success).toBe(true);
		expect(
			workspaceEvent.safeParse({ name: 'task.created', args: { id: 'a', title: '  ', status: 'todo', order: 1 } })
				.success
		).toBe(false);
		expect(workspaceEvent.safeParse({ name: 'task.moved', args: { id: 'a', status: 'later', order: 1 } }).success).toBe(
			false
		);
		expect(
			workspaceEvent.safeParse({ name: 'task.moved', args: { id: 'a', status: 'done', order: Infinity } }).success
		).toBe(false);
		expect(workspaceEvent.safeParse({ name: 'doc.bodySet', args: { id: 'a/../b', body: '' } }).success).toBe(false);
		expect(workspaceEvent.safeParse({ name: 'doc.bodySet', args: { id: 'a', body: 'x'.repeat(70_000) } }).success).toBe(
			false
		);
		expect(workspaceEvent.safeParse({ name: 'task.exploded', args: {} }).success).toBe(false);
	});
});
