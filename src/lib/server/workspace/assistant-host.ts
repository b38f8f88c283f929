import * as Y from 'yjs';
import { fromBase64, toBase64 } from '$lib/protocol/doc-limits';
import type { WorkspaceEvent } from '$lib/protocol/workspace-events';
import { pendingEvent, type LoggedEvent } from '$lib/protocol/workspace-messages';
import { emptyWorkspace, replay, sortedDocs, columnTasks, type WorkspaceState } from '$lib/protocol/workspace-reducer';
import {
	assistantAction,
	needsConfirmation,
	type ActionOutcome,
	type ActionStatus,
	type AssistantAction,
	type AssistantCaller
} from '$lib/server/assistant/actions';
import { ProtocolError } from '$lib/server/realtime/protocol-error';
import { migrateSchema } from '$lib/server/realtime/sql-schema';
import { TokenBuckets, type BucketLimit } from '$lib/server/realtime/token-bucket';
import { AssistantConversation, type StoredMessage } from './assistant-conversation';
import { planAction, PlanError } from './assistant-plan';
import type { EventLog } from './event-log';
import type { TextSync } from './text-sync';

/**
 * The assistant's side of a WorkspaceSync object: its tools' writes, which become events in this
 * workspace's log appended as the asking person (a viewer's are refused here, whatever the UI shows),
 * broadcast to every member like their own edits; the confirmation of destructive ones; their Undo;
 * and the per-person and per-workspace budgets, kept in this object's SQLite so every isolate sees one.
 */

/** Turns one person may start per workspace: 20 at once, refilled at 20 an hour. */
export const PERSON_TURN_LIMIT: BucketLimit = { burst: 20, windowMs: 60 * 60 * 1000 };
/** Turns a whole workspace may start: 60 at once, refilled at 60 an hour. */
export const WORKSPACE_TURN_LIMIT: BucketLimit = { burst: 60, windowMs: 60 * 60 * 1000 };
/** A destructive call waits this long for its confirmation, then can no longer be confirmed. */
export const CONFIRM_WITHIN_MS = 10 * 60 * 1000;
/** Actions kept (for their status and Undo); older rows are deleted. */
const ACTIONS_KEEP = 500;
/** Characters of a doc's text the model may read in one call. */
export const DOC_READ_MAX = 12_000;

const SCHEMA = [
	`CREATE TABLE assistant_actions (
		id TEXT PRIMARY KEY, seq INTEGER NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
		action TEXT NOT NULL, undo TEXT, summary TEXT NOT NULL, at INTEGER NOT NULL)`,
	`CREATE INDEX assistant_actions_seq ON assistant_actions (seq)`
];

/** How an applied action is undone: compensating events, and the text it appended as Yjs positions. */
interface UndoRecord {
	events: WorkspaceEvent[];
	text?: { textId: string; start: string; end: string };
}

interface ActionRow extends Record<string, SqlStorageValue> {
	id: string;
	user_id: string;
	status: string;
	action: string;
	undo: string | null;
	summary: string;
	at: number;
}

export interface AssistantHostDeps {
	storage: DurableObjectStorage;
	eventLog: EventLog;
	texts: TextSync;
	/** Broadcasts appended events to the workspace's live sockets (and handles deleted texts). */
	publish(logged: LoggedEvent[]): void;
	/** Sends a change of the conversation to the sockets of the members who may see it. */
	tell(change: ConversationChange): void;
}

/** What the other members' panels are told when the conversation changes (the channel's two kinds). */
export type ConversationChange =
	| { type: 'assistant-message'; payload: { message: StoredMessage } }
	| { type: 'assistant-action'; payload: { actionId: string; status: ActionStatus } };

/** The methods the WorkspaceSync object's `assistant` RPC may call. */
export const ASSISTANT_METHODS = ['admit', 'board', 'readDoc', 'act', 'resolve', 'history', 'save'] as const;
export type AssistantMethod = (typeof ASSISTANT_METHODS)[number];

export class AssistantHost {
	personLimit: BucketLimit = PERSON_TURN_LIMIT;
	workspaceLimit: BucketLimit = WORKSPACE_TURN_LIMIT;
	private readonly sql: SqlStorage;
	private readonly personBuckets: TokenBuckets;
	private readonly workspaceBuckets: TokenBuckets;
	private cache: { backendId: string; head: number; state: WorkspaceState } | null = null;
	private readonly conversation: AssistantConversation;

	constructor(private readonly deps: AssistantHostDeps) {
		this.sql = deps.storage.sql;
		migrateSchema(deps.storage, 'assistant-actions', SCHEMA);
		this.personBuckets = new TokenBuckets(deps.storage, 'assistant_person_buckets');
		this.workspaceBuckets = new TokenBuckets(deps.storage, 'assistant_workspace_buckets');
		this.conversation = new AssistantConversation(deps.storage);
	}

	/** The conversation's last messages, with the status of every action their tool parts name. */
	history(limit?: number): { messages: StoredMessage[]; actions: [id: string, status: ActionStatus][] } {
		const messages = this.conversation.recent(limit);
		const actions = this.sql
			.exec<{ id: string; status: string }>(
				`SELECT id, status FROM assistant_actions ORDER BY seq DESC LIMIT ?`,
				ACTIONS_KEEP
			)
			.toArray()
			.map((row): [string, ActionStatus] => [row.id, row.status as ActionStatus]);
		return { messages, actions };
	}

	/**
	 * Stores a message and tells every member's panel. A question (`onlyNew`) keeps the id its asker's page
	 * chose, so that page knows the broadcast copy as its own; an id already used is refused (false).
	 */
	save(message: StoredMessage, onlyNew = false): boolean {
		if (!this.conversation.save(message, onlyNew)) return false;
		this.deps.tell({ type: 'assistant-message', payload: { message } });
		return true;
	}

	/** Takes one turn from the person's and the workspace's budgets: 0, or the ms until one is back. */
	admit(userId: string, now = Date.now()): { retryAfterMs: number; scope?: 'person' | 'workspace' } {
		const person = this.personBuckets.take(userId, this.personLimit, now);
		if (person > 0) return { retryAfterMs: person, scope: 'person' };
		const workspace = this.workspaceBuckets.take('workspace', this.workspaceLimit, now);
		if (workspace > 0) return { retryAfterMs: workspace, scope: 'workspace' };
		return { retryAfterMs: 0 };
	}

	/** The board and the docs' titles as the model reads them (ids to act on, usernames resolved by the route). */
	board(): {
		tasks: { id: string; title: string; status: string; assignee: string | null }[];
		docs: { id: string; title: string }[];
	} {
		const state = this.state();
		return {
			tasks: (['todo', 'doing', 'done'] as const).flatMap((status) =>
				columnTasks(state, status).map(({ id, title, assignee }) => ({ id, title, status, assignee }))
			),
			docs: sortedDocs(state).map(({ id, title }) => ({ id, title }))
		};
	}

	/** A doc's title and text (its Yjs text), cut at DOC_READ_MAX characters. */
	readDoc(docId: string): { title: string; text: string; truncated: boolean } | null {
		const doc = this.state().docs.get(docId);
		if (!doc) return null;
		const text = this.deps.texts.text(`doc:${docId}`)?.getText('body').toString() ?? doc.body;
		return { title: doc.title, text: text.slice(0, DOC_READ_MAX), truncated: text.length > DOC_READ_MAX };
	}

	/** One tool call's write: refused for viewers, held for confirmation when destructive, else applied. */
	act(caller: AssistantCaller, input: unknown): ActionOutcome {
		if (caller.role === 'viewer') return forbidden();
		const parsed = assistantAction.safeParse(input);
		if (!parsed.success)
			return { ok: false, code: 'bad-action', error: parsed.error.issues[0]?.message ?? 'Invalid action.' };
		const action = parsed.data;
		const id = crypto.randomUUID();
		if (needsConfirmation(action)) {
			// Planned now only to refuse what cannot apply (an unknown task); it is planned again on confirmation.
			try {
				planAction(this.state(), action, () => id);
			} catch (error) {
				if (error instanceof PlanError) return { ok: false, code: 'not-found', error: error.message };
				throw error;
			}
			const summary = describePending(action, this.state());
			this.insert(id, caller.userId, 'pending', action, null, summary);
			return { ok: true, status: 'pending', actionId: id, summary };
		}
		return this.apply(id, caller, action);
	}

	/** The asking person confirms or cancels a pending action, or undoes an applied one. */
	resolve(
		caller: AssistantCaller,
		actionId: string,
		decision: 'confirm' | 'cancel' | 'undo',
		now = Date.now()
	): ActionOutcome {
		if (caller.role === 'viewer') return forbidden();
		const row = this.sql.exec<ActionRow>(`SELECT * FROM assistant_actions WHERE id = ?`, actionId).toArray()[0];
		if (!row) return { ok: false, code: 'not-found', error: 'No such assistant action.' };
		if (row.user_id !== caller.userId) {
			return { ok: false, code: 'forbidden', error: 'Only the person who asked can confirm or undo this.' };
		}
		const action = assistantAction.parse(JSON.parse(row.action));
		if (decision === 'undo') {
			if (row.status !== 'applied' || !row.undo) return conflict(row.status);
			this.undo(JSON.parse(row.undo) as UndoRecord, caller.userId);
			this.setStatus(actionId, 'undone');
			return { ok: true, status: 'undone', actionId, summary: `Undone: ${row.summary}` };
		}
		if (row.status !== 'pending') return conflict(row.status);
		if (decision === 'cancel') {
			this.setStatus(actionId, 'cancelled');
			return { ok: true, status: 'cancelled', actionId, summary: `Cancelled: ${row.summary}` };
		}
		if (now - row.at > CONFIRM_WITHIN_MS) {
			this.setStatus(actionId, 'cancelled');
			return { ok: false, code: 'expired', error: 'This confirmation expired: ask the assistant again.' };
		}
		return this.apply(actionId, caller, action, true);
	}

	// ---- internals ------------------------------------------------------------------------------

	private apply(id: string, caller: AssistantCaller, action: AssistantAction, existing = false): ActionOutcome {
		let plan;
		try {
			plan = planAction(this.state(), action, () => crypto.randomUUID());
		} catch (error) {
			if (!(error instanceof PlanError)) throw error;
			if (existing) this.setStatus(id, 'failed');
			return { ok: false, code: 'not-found', error: error.message };
		}
		this.append(plan.events, caller.userId);
		const undo: UndoRecord = { events: plan.inverse };
		let summary = plan.summary;
		if (plan.append) {
			try {
				undo.text = this.appendText(`doc:${plan.append.docId}`, plan.append.text);
			} catch (error) {
				if (!(error instanceof ProtocolError)) throw error;
				summary += ` The text was not added: ${error.message}`;
			}
		}
		if (existing) {
			this.sql.exec(
				`UPDATE assistant_actions SET status = 'applied', undo = ?, summary = ? WHERE id = ?`,
				JSON.stringify(undo),
				summary,
				id
			);
			this.deps.tell({ type: 'assistant-action', payload: { actionId: id, status: 'applied' } });
		} else this.insert(id, caller.userId, 'applied', action, undo, summary);
		return { ok: true, status: 'applied', actionId: id, summary, ids: plan.ids };
	}

	/** Appends events as `userId` under a fresh client id of the assistant's, then broadcasts them. */
	private append(events: WorkspaceEvent[], userId: string): void {
		if (events.length === 0) return;
		const clientId = `assistant-${crypto.randomUUID()}`;
		const at = Date.now();
		// Parsed like a member's push: the planner's events meet the same schemas and limits.
		const pending = events.map((event, i) => pendingEvent.parse({ ...event, clientId, clientSeq: i + 1, at }));
		this.deps.publish(this.deps.eventLog.append(pending, userId));
	}

	/** Appends `text` at the end of a doc's Yjs text; returns where it went, as positions that survive edits. */
	private appendText(textId: string, text: string): UndoRecord['text'] {
		const bytes = new TextEncoder().encode(text).byteLength + 256;
		return this.deps.texts.serverEdit(textId, bytes, (ytext) => {
			const from = ytext.length;
			const glue = from > 0 && !ytext.toString().endsWith('\n') ? '\n' : '';
			ytext.insert(from, glue + text);
			const start = Y.createRelativePositionFromTypeIndex(ytext, from, 0);
			const end = Y.createRelativePositionFromTypeIndex(ytext, ytext.length, -1);
			return {
				textId,
				start: toBase64(Y.encodeRelativePosition(start)),
				end: toBase64(Y.encodeRelativePosition(end))
			};
		});
	}

	private undo(record: UndoRecord, userId: string): void {
		this.append(record.events, userId);
		const text = record.text;
		if (!text || !this.deps.eventLog.itemExists(text.textId)) return;
		this.deps.texts.serverEdit(text.textId, 0, (ytext) => {
			const doc = ytext.doc!;
			const start = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(text.start)), doc);
			const end = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(text.end)), doc);
			if (start && end && end.index > start.index) ytext.delete(start.index, end.index - start.index);
		});
	}

	/** The workspace's current state, replayed incrementally from the log since the last call. */
	private state(): WorkspaceState {
		const { backendId, head } = this.deps.eventLog;
		if (!this.cache || this.cache.backendId !== backendId || this.cache.head > head) {
			this.cache = { backendId, head: 0, state: emptyWorkspace() };
		}
		while (this.cache.head < head) {
			const events = this.deps.eventLog.read(this.cache.head, 1_000);
			if (events.length === 0) break;
			this.cache.state = replay(events, this.cache.state);
			this.cache.head = events.at(-1)!.seq;
		}
		return this.cache.state;
	}

	private insert(
		id: string,
		userId: string,
		status: ActionStatus,
		action: AssistantAction,
		undo: UndoRecord | null,
		summary: string
	) {
		this.sql.exec(
			`INSERT INTO assistant_actions (id, seq, user_id, status, action, undo, summary, at)
			 VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM assistant_actions), ?, ?, ?, ?, ?, ?)`,
			id,
			userId,
			status,
			JSON.stringify(action),
			undo ? JSON.stringify(undo) : null,
			summary,
			Date.now()
		);
		this.sql.exec(
			`DELETE FROM assistant_actions WHERE seq <= (SELECT seq FROM assistant_actions ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
			ACTIONS_KEEP
		);
	}

	private setStatus(id: string, status: ActionStatus): void {
		this.sql.exec(`UPDATE assistant_actions SET status = ? WHERE id = ?`, status, id);
		this.deps.tell({ type: 'assistant-action', payload: { actionId: id, status } });
	}
}

function forbidden(): ActionOutcome {
	return {
		ok: false,
		code: 'forbidden',
		error: 'Viewers cannot change this workspace, so the assistant cannot either.'
	};
}

function conflict(status: string): ActionOutcome {
	return { ok: false, code: 'conflict', error: `This action is ${status}, so that is no longer possible.` };
}

/** What the confirmation asks, naming the tasks (ids the board does not know are left out). */
function describePending(action: AssistantAction, state: WorkspaceState): string {
	const ids =
		action.kind === 'deleteTasks'
			? action.taskIds
			: action.kind === 'moveTasks'
				? action.moves.map((m) => m.taskId)
				: [];
	const titles = ids.flatMap((id) => {
		const task = state.tasks.get(id);
		return task ? [`“${task.title}”`] : [];
	});
	const list = titles.length > 5 ? `${titles.slice(0, 5).join(', ')} and ${titles.length - 5} more` : titles.join(', ');
	const verb = action.kind === 'deleteTasks' ? 'Delete' : 'Move';
	const where = action.kind === 'moveTasks' ? ` to ${[...new Set(action.moves.map((m) => m.status))].join(', ')}` : '';
	return `${verb} ${ids.length} task${ids.length === 1 ? '' : 's'}${where}: ${list}`;
}
