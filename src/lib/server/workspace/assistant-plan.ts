import type { WorkspaceEvent } from '$lib/protocol/workspace-events';
import { orderAtEnd, replay, type WorkspaceState } from '$lib/protocol/workspace-reducer';
import type { AssistantAction } from '$lib/server/assistant/actions';

/**
 * Turns one assistant action into workspace events against the current state, with the compensating
 * events that undo it — the same ones the board's own Undo commits (a delete is undone by re-creating
 * the task as it was, same id and place; a move by moving it back). Pure: the WorkspaceSync object runs
 * it on its own state and appends the result as the asking person, so it is in the log like any edit.
 */
export interface Plan {
	events: WorkspaceEvent[];
	inverse: WorkspaceEvent[];
	/** Text appended to a doc through its Yjs text (doc bodies are CRDT texts, not log fields). */
	append?: { docId: string; text: string };
	summary: string;
	/** The ids the action created or touched, for the model to refer to. */
	ids: string[];
}

export class PlanError extends Error {}

export function planAction(state: WorkspaceState, action: AssistantAction, newId: () => string): Plan {
	switch (action.kind) {
		case 'createTasks': {
			const events: WorkspaceEvent[] = [];
			let draft = state;
			for (const { title, status, assignee } of action.tasks) {
				const event: WorkspaceEvent = {
					name: 'task.created',
					args: { id: newId(), title, status, order: orderAtEnd(draft, status), assignee }
				};
				events.push(event);
				draft = replay([event], draft);
			}
			const ids = events.map((e) => e.args.id);
			const inverse = ids.map((id): WorkspaceEvent => ({ name: 'task.deleted', args: { id } }));
			return { events, inverse, ids, summary: `Created ${count(ids.length, 'task')}.` };
		}
		case 'renameTask': {
			const task = requireTask(state, action.taskId);
			return {
				events: [{ name: 'task.titleSet', args: { id: task.id, title: action.title } }],
				inverse: [{ name: 'task.titleSet', args: { id: task.id, title: task.title } }],
				ids: [task.id],
				summary: `Renamed “${task.title}” to “${action.title}”.`
			};
		}
		case 'moveTasks': {
			const events: WorkspaceEvent[] = [];
			const inverse: WorkspaceEvent[] = [];
			let draft = state;
			for (const { taskId, status } of action.moves) {
				const task = requireTask(draft, taskId);
				const event: WorkspaceEvent = {
					name: 'task.moved',
					args: { id: task.id, status, order: orderAtEnd(draft, status) }
				};
				events.push(event);
				inverse.unshift({ name: 'task.moved', args: { id: task.id, status: task.status, order: task.order } });
				draft = replay([event], draft);
			}
			return {
				events,
				inverse,
				ids: action.moves.map((m) => m.taskId),
				summary: `Moved ${count(events.length, 'task')}.`
			};
		}
		case 'assignTasks': {
			const events: WorkspaceEvent[] = [];
			const inverse: WorkspaceEvent[] = [];
			for (const { taskId, assignee } of action.assignments) {
				const task = requireTask(state, taskId);
				events.push({ name: 'task.assigned', args: { id: task.id, assignee } });
				inverse.unshift({ name: 'task.assigned', args: { id: task.id, assignee: task.assignee } });
			}
			return {
				events,
				inverse,
				ids: action.assignments.map((a) => a.taskId),
				summary: `Assigned ${count(events.length, 'task')}.`
			};
		}
		case 'deleteTasks': {
			const tasks = [...new Set(action.taskIds)].map((id) => requireTask(state, id));
			return {
				events: tasks.map((t): WorkspaceEvent => ({ name: 'task.deleted', args: { id: t.id } })),
				inverse: tasks.map(({ id, title, status, order, assignee }): WorkspaceEvent => ({
					name: 'task.created',
					args: { id, title, status, order, assignee }
				})),
				ids: tasks.map((t) => t.id),
				summary: `Deleted ${count(tasks.length, 'task')}.`
			};
		}
		case 'createDoc': {
			const id = newId();
			return {
				events: [{ name: 'doc.created', args: { id, title: action.title, body: '' } }],
				inverse: [{ name: 'doc.deleted', args: { id } }],
				append: action.text ? { docId: id, text: action.text } : undefined,
				ids: [id],
				summary: `Created the doc “${action.title}”.`
			};
		}
		case 'appendToDoc': {
			const doc = state.docs.get(action.docId);
			if (!doc) throw new PlanError(`No doc with id ${action.docId} exists in this workspace.`);
			return {
				events: [],
				inverse: [],
				append: { docId: doc.id, text: action.text },
				ids: [doc.id],
				summary: `Added ${count(action.text.length, 'character')} to “${doc.title || 'Untitled'}”.`
			};
		}
	}
}

function requireTask(state: WorkspaceState, id: string) {
	const task = state.tasks.get(id);
	if (!task) throw new PlanError(`No task with id ${id} exists in this workspace.`);
	return task;
}

function count(n: number, noun: string): string {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
