import type { RequestEvent } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { apiError } from '$lib/server/api-error';
import { foreignOrigin } from '$lib/server/foreign-origin';
import { getWorkspace, listMembers } from '$lib/server/workspace/directory';
import type { AssistantCaller } from './actions';

/** Who asks the assistant of which workspace, as the assistant's routes need it. */
export interface AssistantRequest {
	env: Env;
	workspaceId: string;
	caller: AssistantCaller;
	members: { userId: string; username: string; displayName: string }[];
}

/**
 * The checks every assistant route makes first: a same-origin request (JSON POSTs are outside
 * SvelteKit's form CSRF check), a signed-in member of this workspace, and their role as D1 has it
 * now — the role the WorkspaceSync object then applies the assistant's writes under.
 */
export async function assistantRequest(event: RequestEvent): Promise<AssistantRequest | Response> {
	const env = event.platform!.env;
	const refused = foreignOrigin(event.request, env);
	if (refused) return refused;
	const user = event.locals.user;
	if (!user) return apiError(401, 'sign-in', 'Sign in to use the assistant.');
	const workspaceId = event.params.id!;
	const db = getDb(env);
	const workspace = await getWorkspace(db, workspaceId, user.id);
	if (!workspace) return apiError(404, 'not-found', 'No such workspace, or you are not a member.');
	return {
		env,
		workspaceId,
		caller: { userId: user.id, role: workspace.role },
		members: await listMembers(db, workspaceId)
	};
}
