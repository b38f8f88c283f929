import { z } from 'zod';
import { DOC_TITLE_MAX, TASK_STATUSES, TASK_TITLE_MAX } from '$lib/protocol/workspace-events';

/**
 * What the assistant's tools ask the WorkspaceSync object to do, in the object's terms: ids, statuses
 * and user ids (the route turned usernames into ids). The object plans the events from its own current
 * state, under the asking person's role; the tool definitions (tools.ts) give the model these shapes.
 * Every field is bounded, so one call cannot ask for an unbounded amount of work.
 */

/** Items one call may touch: a board split into tasks, a sweep of a column. */
export const ACTION_ITEMS_MAX = 50;
/** Characters one call may add to a doc (the doc's own limits still apply on top). */
export const DOC_APPEND_MAX = 16_000;

const id = z.string().min(1).max(64);
const title = z.string().trim().min(1).max(TASK_TITLE_MAX);
const status = z.enum(TASK_STATUSES);
const userId = z.string().min(1).max(128).nullable();

export const assistantAction = z.discriminatedUnion('kind', [
	z.object({
		kind: z.literal('createTasks'),
		tasks: z
			.array(z.object({ title, status: status.default('todo'), assignee: userId.default(null) }))
			.min(1)
			.max(ACTION_ITEMS_MAX)
	}),
	z.object({ kind: z.literal('renameTask'), taskId: id, title }),
	z.object({
		kind: z.literal('moveTasks'),
		moves: z
			.array(z.object({ taskId: id, status }))
			.min(1)
			.max(ACTION_ITEMS_MAX)
	}),
	z.object({
		kind: z.literal('assignTasks'),
		assignments: z
			.array(z.object({ taskId: id, assignee: userId }))
			.min(1)
			.max(ACTION_ITEMS_MAX)
	}),
	z.object({ kind: z.literal('deleteTasks'), taskIds: z.array(id).min(1).max(ACTION_ITEMS_MAX) }),
	z.object({
		kind: z.literal('createDoc'),
		title: z.string().trim().min(1).max(DOC_TITLE_MAX),
		text: z.string().max(DOC_APPEND_MAX).default('')
	}),
	z.object({ kind: z.literal('appendToDoc'), docId: id, text: z.string().min(1).max(DOC_APPEND_MAX) })
]);
export type AssistantAction = z.infer<typeof assistantAction>;
export type AssistantActionInput = z.input<typeof assistantAction>;

/** Destructive calls wait for the person's confirmation in the panel: deletes, and moves of many tasks. */
export function needsConfirmation(action: AssistantAction): boolean {
	return action.kind === 'deleteTasks' || (action.kind === 'moveTasks' && action.moves.length > 1);
}

/** Who asks: the person's user id and their role in this workspace, read from D1 by the route. */
export interface AssistantCaller {
	userId: string;
	role: 'owner' | 'editor' | 'viewer';
}

/** An action's state as the panel shows it. */
export type ActionStatus = 'pending' | 'applied' | 'cancelled' | 'undone' | 'failed';

/** What a tool call returns to the model and the panel (never events: the log has those). */
export type ActionOutcome =
	| { ok: true; status: ActionStatus; actionId: string; summary: string; ids?: string[] }
	| { ok: false; code: string; error: string };
