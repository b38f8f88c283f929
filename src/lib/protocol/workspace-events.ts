import { z } from 'zod';

/**
 * The workspace's domain events: the only things a client may append to a workspace's log. One schema
 * per event, shared by the browser (which validates before queueing) and the WorkspaceSync Durable
 * Object (which validates again before appending). Events carry intent at field level ("set this
 * task's title"), so replaying a client's pending events on top of a newer head — the rebase — keeps
 * their meaning, and concurrent edits to different fields of the same task both survive.
 */

/** Ids are client-generated ($lib/random-id) so an event can name what it creates before the server sees it. */
export const WORKSPACE_ENTITY_ID_MAX = 64;
/** A task title is one line on a card; 200 characters fits any real title and bounds every frame. */
export const TASK_TITLE_MAX = 200;
/** Doc titles are headings, same bound as task titles. */
export const DOC_TITLE_MAX = 200;
/**
 * A doc's body in the log (`doc.created`, `doc.bodySet`) is what docs held before their bodies became Yjs
 * texts (doc-limits.ts): the WorkspaceSync object migrates the last one into the doc's text on its first
 * load, and the app writes no new ones. 64 KiB keeps one such event well under the frame caps.
 */
export const DOC_BODY_MAX = 64 * 1024;

export const TASK_STATUSES = ['todo', 'doing', 'done'] as const;
export const taskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatus>;

const entityId = z
	.string()
	.min(1)
	.max(WORKSPACE_ENTITY_ID_MAX)
	.regex(/^[A-Za-z0-9_-]+$/, 'Ids use letters, digits, "_" or "-".');
// Over-long text is refused with the limit in words, never cut: the board shows the same limit as you type.
const taskTitle = z
	.string()
	.trim()
	.min(1, 'A task needs a title.')
	.max(TASK_TITLE_MAX, `A task title can be at most ${TASK_TITLE_MAX} characters.`);
const docTitle = z.string().max(DOC_TITLE_MAX, `A document title can be at most ${DOC_TITLE_MAX} characters.`);
const docBody = z.string().max(DOC_BODY_MAX, `A document can be at most ${DOC_BODY_MAX} characters.`);
/** Fractional position inside a column; finite so JSON round-trips it exactly. */
const order = z.number().finite();
/** A member's user id, or null for unassigned. */
const assignee = z.string().min(1).max(128).nullable();

const taskCreated = z.object({
	name: z.literal('task.created'),
	args: z.object({ id: entityId, title: taskTitle, status: taskStatus, order, assignee: assignee.default(null) })
});
const taskTitleSet = z.object({ name: z.literal('task.titleSet'), args: z.object({ id: entityId, title: taskTitle }) });
const taskMoved = z.object({
	name: z.literal('task.moved'),
	args: z.object({ id: entityId, status: taskStatus, order })
});
const taskAssigned = z.object({ name: z.literal('task.assigned'), args: z.object({ id: entityId, assignee }) });
const taskDeleted = z.object({ name: z.literal('task.deleted'), args: z.object({ id: entityId }) });
const docCreated = z.object({
	name: z.literal('doc.created'),
	args: z.object({ id: entityId, title: docTitle, body: docBody })
});
const docTitleSet = z.object({
	name: z.literal('doc.titleSet'),
	args: z.object({ id: entityId, title: docTitle })
});
const docBodySet = z.object({
	name: z.literal('doc.bodySet'),
	args: z.object({ id: entityId, body: docBody })
});
const docDeleted = z.object({ name: z.literal('doc.deleted'), args: z.object({ id: entityId }) });

/**
 * Every event kind with `fields` added beside `name` and `args` (a client's id and sequence, the server's
 * seq): one flat union, which validates a 100-event pull page about twice as fast as an intersection of
 * the event union with an object of those fields.
 */
export function workspaceEventWith<S extends z.ZodRawShape>(fields: S) {
	return z.discriminatedUnion('name', [
		taskCreated.extend(fields),
		taskTitleSet.extend(fields),
		taskMoved.extend(fields),
		taskAssigned.extend(fields),
		taskDeleted.extend(fields),
		docCreated.extend(fields),
		docTitleSet.extend(fields),
		docBodySet.extend(fields),
		docDeleted.extend(fields)
	]);
}

export const workspaceEvent = workspaceEventWith({});

export type WorkspaceEvent = z.infer<typeof workspaceEvent>;
