import { describe, expect, it } from 'vitest';
import { workspaceEvent, type WorkspaceEvent } from './workspace-events';
import {
	applyEvent,
	columnTasks,
	emptyWorkspace,
	isWorkspaceState,
	orderAt,
	orderAtEnd,
	replay,
	sortedDocs
} from './workspace-reducer';
import { PROTOTYPE_NAMES } from '../../testing/prototype-names';

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
		expect(state.tasks.get('a')).toEqual({
			id: 'a',
			title: 'Write spec',
			status: 'doing',
			order: 5,
			assignee: 'user-1'
		});
	});

	it('materialises docs with title and body, last writer per field wins', () => {
		const state = replay([
			{ name: 'doc.created', args: { id: 'd', title: 'Notes', body: '' } },
			{ name: 'doc.bodySet', args: { id: 'd', body: 'first' } },
			{ name: 'doc.titleSet', args: { id: 'd', title: 'Meeting notes' } },
			{ name: 'doc.bodySet', args: { id: 'd', body: 'second' } }
		]);
		expect(state.docs.get('d')).toEqual({ id: 'd', title: 'Meeting notes', body: 'second' });
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
		expect([...state.tasks.keys()]).toEqual(['b']);
		expect(state.tasks.get('b')?.title).toBe('Task b');
		expect(state.docs.size).toBe(0);
	});

	it('a create after the delete restores the task in its place (how Undo works); edits in between are lost', () => {
		const state = replay([
			created('a', 'doing', 3),
			{ name: 'task.deleted', args: { id: 'a' } },
			{ name: 'task.titleSet', args: { id: 'a', title: 'made while deleted' } },
			created('a', 'doing', 3)
		]);
		expect(state.tasks.get('a')).toEqual({ id: 'a', title: 'Task a', status: 'doing', order: 3, assignee: null });
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

describe('ids that are names of Object.prototype', () => {
	it('the list names every property of Object.prototype, and each is a valid id', () => {
		expect([...PROTOTYPE_NAMES].sort()).toEqual(Object.getOwnPropertyNames(Object.prototype).sort());
		for (const id of PROTOTYPE_NAMES) {
			expect(workspaceEvent.safeParse({ name: 'task.deleted', args: { id } }).success).toBe(true);
		}
	});

	it('edits before the create (the events that wrote ghosts) are no-ops, so such a log replays to a clean board', () => {
		const ghostMakers: WorkspaceEvent[] = PROTOTYPE_NAMES.flatMap((id): WorkspaceEvent[] => [
			{ name: 'task.moved', args: { id, status: 'todo', order: 1 } },
			{ name: 'task.titleSet', args: { id, title: 'ghost' } },
			{ name: 'task.assigned', args: { id, assignee: 'user-1' } },
			{ name: 'doc.titleSet', args: { id, title: 'ghost' } },
			{ name: 'doc.bodySet', args: { id, body: 'ghost' } }
		]);
		const state = replay([...ghostMakers, created('real')]);
		expect([...state.tasks.keys()]).toEqual(['real']);
		expect(columnTasks(state, 'todo').map((t) => t.id)).toEqual(['real']);
		expect(state.docs.size).toBe(0);
		expect(sortedDocs(state)).toEqual([]);
	});

	it('each name is an ordinary task id: created, edited, moved, counted and deleted', () => {
		const log: WorkspaceEvent[] = PROTOTYPE_NAMES.flatMap((id, i): WorkspaceEvent[] => [
			{ name: 'task.moved', args: { id, status: 'done', order: 0 } }, // before the create: ignored
			created(id, 'todo', i),
			{ name: 'task.titleSet', args: { id, title: `Title ${id}` } },
			{ name: 'task.assigned', args: { id, assignee: `user-${id}` } },
			{ name: 'task.moved', args: { id, status: i % 2 ? 'doing' : 'todo', order: i } },
			created(id, 'done', 99) // a duplicate create is ignored for these ids too
		]);
		const state = replay(log);
		expect(state.tasks.size).toBe(PROTOTYPE_NAMES.length);
		PROTOTYPE_NAMES.forEach((id, i) => {
			expect(state.tasks.get(id)).toEqual({
				id,
				title: `Title ${id}`,
				status: i % 2 ? 'doing' : 'todo',
				order: i,
				assignee: `user-${id}`
			});
		});
		const todo = PROTOTYPE_NAMES.filter((_, i) => i % 2 === 0);
		const doing = PROTOTYPE_NAMES.filter((_, i) => i % 2 === 1);
		expect(columnTasks(state, 'todo').map((t) => t.id)).toEqual(todo);
		expect(columnTasks(state, 'doing').map((t) => t.id)).toEqual(doing);
		expect(columnTasks(state, 'done')).toEqual([]);
		expect(orderAtEnd(state, 'todo')).toBe(PROTOTYPE_NAMES.length - 1);

		const deleted = replay(
			PROTOTYPE_NAMES.map((id): WorkspaceEvent => ({ name: 'task.deleted', args: { id } })),
			state
		);
		expect(deleted.tasks.size).toBe(0);
		expect(state.tasks.size).toBe(PROTOTYPE_NAMES.length); // the input state is untouched
	});

	it('each name is an ordinary doc id: created, retitled, rewritten, sorted and deleted', () => {
		const log: WorkspaceEvent[] = PROTOTYPE_NAMES.flatMap((id): WorkspaceEvent[] => [
			{ name: 'doc.bodySet', args: { id, body: 'before the create' } },
			{ name: 'doc.created', args: { id, title: 'Untitled', body: '' } },
			{ name: 'doc.titleSet', args: { id, title: `Doc ${id}` } },
			{ name: 'doc.bodySet', args: { id, body: `Body of ${id}` } }
		]);
		const state = replay(log);
		expect(state.docs.size).toBe(PROTOTYPE_NAMES.length);
		for (const id of PROTOTYPE_NAMES) {
			expect(state.docs.get(id)).toEqual({ id, title: `Doc ${id}`, body: `Body of ${id}` });
		}
		const expectedOrder = [...PROTOTYPE_NAMES].sort((a, b) => `Doc ${a}`.localeCompare(`Doc ${b}`));
		expect(sortedDocs(state).map((d) => d.id)).toEqual(expectedOrder);

		const halfGone = replay(
			PROTOTYPE_NAMES.filter((_, i) => i % 2).map((id): WorkspaceEvent => ({ name: 'doc.deleted', args: { id } })),
			state
		);
		expect([...halfGone.docs.keys()]).toEqual(PROTOTYPE_NAMES.filter((_, i) => i % 2 === 0));
	});

	it('a state survives structured cloning (the IndexedDB snapshot) and replay continues on the clone', () => {
		const state = replay(PROTOTYPE_NAMES.map((id, i) => created(id, 'todo', i)));
		const restored = structuredClone(state);
		expect(isWorkspaceState(restored)).toBe(true);
		const next = replay([{ name: 'task.deleted', args: { id: 'constructor' } }], restored);
		expect(next.tasks.has('constructor')).toBe(false);
		expect(next.tasks.size).toBe(PROTOTYPE_NAMES.length - 1);
	});

	it('recognises a snapshot state of the old plain-object shape, which must be rebuilt', () => {
		expect(isWorkspaceState(emptyWorkspace())).toBe(true);
		expect(isWorkspaceState({ tasks: {}, docs: {} })).toBe(false);
		expect(isWorkspaceState({ tasks: { constructor: { status: 'todo', order: 1 } }, docs: {} })).toBe(false);
		expect(isWorkspaceState(null)).toBe(false);
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
