import { getContext, setContext } from 'svelte';
import type { WorkspaceClient } from './workspace-client.svelte';

/** The open workspace's sync client and member list, shared by the board, docs and members pages. */
export interface WorkspaceContext {
	readonly client: WorkspaceClient;
	readonly members: { userId: string; displayName: string; username: string; role: string }[];
	readonly canEdit: boolean;
}

const KEY = Symbol('workspace');

export function setWorkspaceContext(context: WorkspaceContext) {
	setContext(KEY, context);
}

export function workspaceContext(): WorkspaceContext {
	return getContext<WorkspaceContext>(KEY);
}
