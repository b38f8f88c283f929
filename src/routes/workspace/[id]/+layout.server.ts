import { error } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { authRequired } from '$lib/server/auth/workspace';
import { DEMO_WORKSPACE_ID, getWorkspace, listMembers } from '$lib/server/workspace/directory';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, params, url, platform }) => {
	const env = platform!.env;
	if (params.id === DEMO_WORKSPACE_ID && !authRequired(env)) {
		return {
			workspace: { id: DEMO_WORKSPACE_ID, name: 'Demo workspace', role: 'editor' as const, ownerId: '' },
			members: []
		};
	}
	if (!locals.user) signInFirst(url);
	const db = getDb(env);
	const workspace = await getWorkspace(db, params.id, locals.user.id);
	if (!workspace) error(404, 'No such workspace, or you are not a member.');
	return { workspace, members: await listMembers(db, params.id) };
};
