import type { TaskStatus, WorkspaceEvent } from './workspace-events';

/**
 * The one pure reducer that materialises a workspace from its event log. The browser runs it over the
 * confirmed log plus its pending local events; tests run it over the server's log to check that every
 * client converged on exactly the replay. It must be deterministic and total: events about a deleted
 * or unknown entity are no-ops (another client deleted it concurrently), a second create with the same
 * id is ignored while the first still exists (ids are client-generated UUIDs, so that only happens on a
 * duplicate) — after a delete it restores the entity, which is how the board's Undo works — and nothing
 * depends on wall-clock time or randomness.
 *
 * Tasks and docs live in Maps, never in plain objects: ids are chosen by clients and `constructor`,
 * `toString` or `__proto__` are valid ids. Keyed into a plain object, `task.moved {id:"constructor"}`
 * found Object.prototype's `constructor` and wrote a ghost entry that broke every member's board.
 */

export interface Task {
	id: string;
	title: string;
	status: TaskStatus;
	/** Position within its column, ascending; fractional so a move rewrites one task only. */
	order: number;
	assignee: string | null;
}

export interface Doc {
	id: string;
	title: string;
	body: string;
}

/** Read-only to everyone but this module: a state is a value, and replay builds the next one. */
export interface WorkspaceState {
	tasks: ReadonlyMap<string, Task>;
	docs: ReadonlyMap<string, Doc>;
}

/** The state while `replay` builds it: the same Maps, writable. */
interface Draft {
	tasks: Map<string, Task>;
	docs: Map<string, Doc>;
}

export function emptyWorkspace(): WorkspaceState {
	return { tasks: new Map(), docs: new Map() };
}

/**
 * True for a state of the current shape. A snapshot persisted before the state held Maps has plain
 * objects, possibly with ghost entries written by the old reducer: it cannot be trusted and must be
 * rebuilt from the log, never converted.
 */
export function isWorkspaceState(value: unknown): value is WorkspaceState {
	if (typeof value !== 'object' || value === null) return false;
	const { tasks, docs } = value as Record<string, unknown>;
	return tasks instanceof Map && docs instanceof Map;
}

/**
 * Applies one event. Returns a new state object (the input is not mutated) so Svelte sees a change and
 * callers can keep the confirmed state while building the optimistic one on top.
 */
export function applyEvent(state: WorkspaceState, event: WorkspaceEvent): WorkspaceState {
	return replay([event], state);
}

/**
 * Folds a sequence of events over `from` (the empty workspace by default) into a new state; `from` is
 * not mutated. The task and doc maps are copied once per call, not once per event: a catch-up folds
 * thousands of events a page at a time, and a copy per event made that quadratic in the workspace size.
 */
export function replay(events: Iterable<WorkspaceEvent>, from: WorkspaceState = emptyWorkspace()): WorkspaceState {
	const draft: Draft = { tasks: new Map(from.tasks), docs: new Map(from.docs) };
	for (const event of events) applyInPlace(draft, event);
	return draft;
}

/** Mutates `draft`'s own maps only; entities are replaced, never edited, so `from`'s objects stay intact. */
function applyInPlace(draft: Draft, event: WorkspaceEvent): void {
	switch (event.name) {
		case 'task.created': {
			if (draft.tasks.has(event.args.id)) return;
			const { id, title, status, order, assignee } = event.args;
			draft.tasks.set(id, { id, title, status, order, assignee: assignee ?? null });
			return;
		}
		case 'task.titleSet':
			return updateTask(draft, event.args.id, { title: event.args.title });
		case 'task.moved':
			return updateTask(draft, event.args.id, { status: event.args.status, order: event.args.order });
		case 'task.assigned':
			return updateTask(draft, event.args.id, { assignee: event.args.assignee });
		case 'task.deleted':
			draft.tasks.delete(event.args.id);
			return;
		case 'doc.created': {
			if (draft.docs.has(event.args.id)) return;
			const { id, title, body } = event.args;
			draft.docs.set(id, { id, title, body });
			return;
		}
		case 'doc.titleSet':
			return updateDoc(draft, event.args.id, { title: event.args.title });
		case 'doc.bodySet':
			return updateDoc(draft, event.args.id, { body: event.args.body });
		case 'doc.deleted':
			draft.docs.delete(event.args.id);
			return;
	}
}

/** Tasks of one column in board order; ties (two clients picked the same order) break by id, stably. */
export function columnTasks(state: WorkspaceState, status: TaskStatus): Task[] {
	return [...state.tasks.values()]
		.filter((t) => t.status === status)
		.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Docs sorted by title then id, for a stable list. */
export function sortedDocs(state: WorkspaceState): Doc[] {
	return [...state.docs.values()].sort((a, b) => a.title.localeCompare(b.title) || (a.id < b.id ? -1 : 1));
}

/** The order for appending to the end of a column. */
export function orderAtEnd(state: WorkspaceState, status: TaskStatus): number {
	const column = columnTasks(state, status);
	return column.length === 0 ? 1 : column[column.length - 1].order + 1;
}

/**
 * The order that places a task at `index` in `status`'s column (ignoring the task itself): midway between
 * its new neighbours, so only the moved task changes.
 */
export function orderAt(state: WorkspaceState, status: TaskStatus, index: number, movingId?: string): number {
	const column = columnTasks(state, status).filter((t) => t.id !== movingId);
	const clamped = Math.max(0, Math.min(index, column.length));
	const before = column[clamped - 1]?.order;
	const after = column[clamped]?.order;
	if (before === undefined && after === undefined) return 1;
	if (before === undefined) return after! - 1;
	if (after === undefined) return before + 1;
	return (before + after) / 2;
}

function updateTask(draft: Draft, id: string, patch: Partial<Task>): void {
	const task = draft.tasks.get(id);
	if (task) draft.tasks.set(id, { ...task, ...patch });
}

function updateDoc(draft: Draft, id: string, patch: Partial<Doc>): void {
	const doc = draft.docs.get(id);
	if (doc) draft.docs.set(id, { ...doc, ...patch });
}
