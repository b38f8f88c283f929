import type { TaskStatus, WorkspaceEvent } from './workspace-events';

/**
 * The one pure reducer that materialises a workspace from its event log. The browser runs it over the
 * confirmed log plus its pending local events; tests run it over the server's log to check that every
 * client converged on exactly the replay. It must be deterministic and total: events about a deleted
 * or unknown entity are no-ops (another client deleted it concurrently), a second create with the same
 * id is ignored (ids are client-generated UUIDs, so that only happens on a duplicate), and nothing
 * depends on wall-clock time or randomness.
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

export interface WorkspaceState {
	tasks: Record<string, Task>;
	docs: Record<string, Doc>;
}

export function emptyWorkspace(): WorkspaceState {
	return { tasks: {}, docs: {} };
}

/**
 * Applies one event. Returns a new state object (the input is not mutated) so Svelte sees a change and
 * callers can keep the confirmed state while building the optimistic one on top.
 */
export function applyEvent(state: WorkspaceState, event: WorkspaceEvent): WorkspaceState {
	switch (event.name) {
		case 'task.created': {
			if (state.tasks[event.args.id]) return state;
			const { id, title, status, order, assignee } = event.args;
			return { ...state, tasks: { ...state.tasks, [id]: { id, title, status, order, assignee: assignee ?? null } } };
		}
		case 'task.titleSet':
			return updateTask(state, event.args.id, { title: event.args.title });
		case 'task.moved':
			return updateTask(state, event.args.id, { status: event.args.status, order: event.args.order });
		case 'task.assigned':
			return updateTask(state, event.args.id, { assignee: event.args.assignee });
		case 'task.deleted': {
			if (!state.tasks[event.args.id]) return state;
			const tasks = { ...state.tasks };
			delete tasks[event.args.id];
			return { ...state, tasks };
		}
		case 'doc.created': {
			if (state.docs[event.args.id]) return state;
			const { id, title, body } = event.args;
			return { ...state, docs: { ...state.docs, [id]: { id, title, body } } };
		}
		case 'doc.titleSet':
			return updateDoc(state, event.args.id, { title: event.args.title });
		case 'doc.bodySet':
			return updateDoc(state, event.args.id, { body: event.args.body });
		case 'doc.deleted': {
			if (!state.docs[event.args.id]) return state;
			const docs = { ...state.docs };
			delete docs[event.args.id];
			return { ...state, docs };
		}
	}
}

/** Folds a sequence of events over `from` (the empty workspace by default). */
export function replay(events: Iterable<WorkspaceEvent>, from: WorkspaceState = emptyWorkspace()): WorkspaceState {
	let state = from;
	for (const event of events) state = applyEvent(state, event);
	return state;
}

/** Tasks of one column in board order; ties (two clients picked the same order) break by id, stably. */
export function columnTasks(state: WorkspaceState, status: TaskStatus): Task[] {
	return Object.values(state.tasks)
		.filter((t) => t.status === status)
		.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Docs sorted by title then id, for a stable list. */
export function sortedDocs(state: WorkspaceState): Doc[] {
	return Object.values(state.docs).sort((a, b) => a.title.localeCompare(b.title) || (a.id < b.id ? -1 : 1));
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

function updateTask(state: WorkspaceState, id: string, patch: Partial<Task>): WorkspaceState {
	const task = state.tasks[id];
	if (!task) return state;
	return { ...state, tasks: { ...state.tasks, [id]: { ...task, ...patch } } };
}

function updateDoc(state: WorkspaceState, id: string, patch: Partial<Doc>): WorkspaceState {
	const doc = state.docs[id];
	if (!doc) return state;
	return { ...state, docs: { ...state.docs, [id]: { ...doc, ...patch } } };
}
