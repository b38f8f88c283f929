import type { StoredMessage } from '$lib/server/workspace/assistant-conversation';
import type { AssistantHost, AssistantMethod } from '$lib/server/workspace/assistant-host';
import type { AssistantCaller } from './actions';
import type { ToolHost } from './tools';

type WorkspaceEnv = Pick<Env, 'WORKSPACE_SYNC'>;

/** The workspace's WorkspaceSync object, as the assistant's routes talk to it (its `assistant` RPC). */
export function workspaceStub(env: WorkspaceEnv, workspaceId: string) {
	return env.WORKSPACE_SYNC.get(env.WORKSPACE_SYNC.idFromName(workspaceId));
}

/**
 * One call of the object's `assistant` RPC, typed by the AssistantHost method it reaches (the RPC's
 * generic signature is flattened by the stub's types, so the result type is restated here).
 */
export function callAssistant<K extends AssistantMethod>(
	env: WorkspaceEnv,
	workspaceId: string,
	method: K,
	...args: Parameters<AssistantHost[K]>
): Promise<ReturnType<AssistantHost[K]>> {
	const stub = workspaceStub(env, workspaceId) as unknown as {
		assistant(method: K, ...args: Parameters<AssistantHost[K]>): Promise<ReturnType<AssistantHost[K]>>;
	};
	return stub.assistant(method, ...args);
}

/**
 * The tools' view of one workspace for one asking person: every read and write is an RPC to the
 * workspace's object, which applies writes under `caller`'s role.
 */
export function workspaceToolHost(
	env: WorkspaceEnv,
	workspaceId: string,
	caller: AssistantCaller,
	members: { userId: string; username: string }[]
): ToolHost & { saveAnswer(message: StoredMessage): Promise<void> } {
	return {
		caller,
		members,
		board: () => callAssistant(env, workspaceId, 'board'),
		readDoc: (docId) => callAssistant(env, workspaceId, 'readDoc', docId),
		act: (action) => callAssistant(env, workspaceId, 'act', caller, action),
		saveAnswer: async (message) => void (await callAssistant(env, workspaceId, 'save', message))
	};
}
