import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { authRequired } from '$lib/server/auth/workspace';
import { createWorkspace, listWorkspaces, workspaceNameSchema } from '$lib/server/workspace/directory';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, platform }) => {
	const env = platform!.env;
	const demo = !authRequired(env);
	if (!locals.user) {
		if (demo) return { workspaces: [], demo };
		signInFirst(url);
	}
	return { workspaces: await listWorkspaces(getDb(env), locals.user.id), demo };
};

export const actions: Actions = {
	create: async ({ request, locals, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		const parsed = workspaceNameSchema.safeParse((await request.formData()).get('name') ?? '');
		if (!parsed.success) return fail(400, { error: parsed.error.issues[0]!.message });
		const created = await createWorkspace(platform!.env, getDb(platform!.env), locals.user.id, parsed.data);
		redirect(303, `/workspace/${created.id}`);
	}
};
