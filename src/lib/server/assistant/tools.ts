import { tool } from 'ai';
import { z } from 'zod';
import { DOC_TITLE_MAX, TASK_STATUSES, TASK_TITLE_MAX } from '$lib/protocol/workspace-events';
import {
	ACTION_ITEMS_MAX,
	DOC_APPEND_MAX,
	type ActionOutcome,
	type AssistantActionInput,
	type AssistantCaller
} from './actions';

/**
 * The tools the model may call. Each read asks the WorkspaceSync object; each write goes to it as an
 * action under the asking person's role (`act`), which the object turns into log events — or refuses,
 * or holds for the person's confirmation. The model names people by username; the object keeps user
 * ids, so usernames are resolved here against the workspace's members (D1). Input schemas bound every
 * argument, and the AI SDK refuses a call that does not match them before `execute` runs.
 */
export interface ToolHost {
	caller: AssistantCaller;
	members: { userId: string; username: string }[];
	board(): Promise<{
		tasks: { id: string; title: string; status: string; assignee: string | null }[];
		docs: { id: string; title: string }[];
	}>;
	readDoc(docId: string): Promise<{ title: string; text: string; truncated: boolean } | null>;
	act(action: AssistantActionInput): Promise<ActionOutcome>;
}

const id = z.string().min(1).max(64);
const status = z.enum(TASK_STATUSES).describe('todo, doing or done');
const username = z.string().min(1).max(64).describe("a member's username, as readBoard lists them");
const title = z.string().min(1).max(TASK_TITLE_MAX);

export function assistantTools(host: ToolHost) {
	const userIdOf = (name: string | null | undefined): string | null | Error => {
		if (name === null || name === undefined || name === '') return null;
		const member = host.members.find((m) => m.username === name.trim().toLowerCase().replace(/^@/, ''));
		return member ? member.userId : new Error(`No member is called "${name}".`);
	};
	const act = async (action: AssistantActionInput): Promise<ActionOutcome & { note?: string }> => {
		const outcome = await host.act(action);
		// The model must not ask again while the person decides.
		if (outcome.ok && outcome.status === 'pending') {
			return { ...outcome, note: 'Waiting for the person to confirm in the panel; do not call this again.' };
		}
		return outcome;
	};
	const unknownMember = (error: Error): ActionOutcome => ({ ok: false, code: 'unknown-member', error: error.message });

	return {
		readBoard: tool({
			description: 'Read the task board (every task with its id, title, status and assignee) and the list of docs.',
			inputSchema: z.object({}),
			execute: async () => {
				const board = await host.board();
				const name = (userId: string | null) => host.members.find((m) => m.userId === userId)?.username ?? null;
				return {
					members: host.members.map((m) => m.username),
					tasks: board.tasks.map((t) => ({ ...t, assignee: name(t.assignee) })),
					docs: board.docs
				};
			}
		}),
		readDoc: tool({
			description: "Read a doc's title and text by its id.",
			inputSchema: z.object({ docId: id }),
			execute: async ({ docId }) => (await host.readDoc(docId)) ?? { error: `No doc with id ${docId}.` }
		}),
		createTasks: tool({
			description: 'Create tasks on the board (at the end of their column).',
			inputSchema: z.object({
				tasks: z
					.array(z.object({ title, status: status.optional(), assignee: username.optional() }))
					.min(1)
					.max(ACTION_ITEMS_MAX)
			}),
			execute: async ({ tasks }) => {
				const resolved = [];
				for (const task of tasks) {
					const assignee = userIdOf(task.assignee);
					if (assignee instanceof Error) return unknownMember(assignee);
					resolved.push({ title: task.title, status: task.status ?? 'todo', assignee });
				}
				return act({ kind: 'createTasks', tasks: resolved });
			}
		}),
		renameTask: tool({
			description: "Change a task's title.",
			inputSchema: z.object({ taskId: id, title }),
			execute: ({ taskId, title }) => act({ kind: 'renameTask', taskId, title })
		}),
		moveTasks: tool({
			description: 'Move tasks to another column. Moving more than one waits for the person to confirm.',
			inputSchema: z.object({
				moves: z
					.array(z.object({ taskId: id, status }))
					.min(1)
					.max(ACTION_ITEMS_MAX)
			}),
			execute: ({ moves }) => act({ kind: 'moveTasks', moves })
		}),
		assignTasks: tool({
			description: 'Assign tasks to members (by username), or unassign them (assignee null).',
			inputSchema: z.object({
				assignments: z
					.array(z.object({ taskId: id, assignee: username.nullable() }))
					.min(1)
					.max(ACTION_ITEMS_MAX)
			}),
			execute: async ({ assignments }) => {
				const resolved = [];
				for (const { taskId, assignee } of assignments) {
					const userId = userIdOf(assignee);
					if (userId instanceof Error) return unknownMember(userId);
					resolved.push({ taskId, assignee: userId });
				}
				return act({ kind: 'assignTasks', assignments: resolved });
			}
		}),
		deleteTasks: tool({
			description: 'Delete tasks. Always waits for the person to confirm.',
			inputSchema: z.object({ taskIds: z.array(id).min(1).max(ACTION_ITEMS_MAX) }),
			execute: ({ taskIds }) => act({ kind: 'deleteTasks', taskIds })
		}),
		createDoc: tool({
			description: 'Create a doc with a title and optional markdown text.',
			inputSchema: z.object({
				title: z.string().min(1).max(DOC_TITLE_MAX),
				text: z.string().max(DOC_APPEND_MAX).optional()
			}),
			execute: ({ title, text }) => act({ kind: 'createDoc', title, text: text ?? '' })
		}),
		appendToDoc: tool({
			description: "Add markdown text at the end of a doc's text.",
			inputSchema: z.object({ docId: id, text: z.string().min(1).max(DOC_APPEND_MAX) }),
			execute: ({ docId, text }) => act({ kind: 'appendToDoc', docId, text })
		})
	};
}
