import { fail, redirect } from '@sveltejs/kit';
import { swarmName } from '$lib/protocol/swarm';
import { getDb } from '$lib/server/db';
import { createSwarm, listSwarms } from '$lib/server/swarm/directory';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, platform }) => {
	if (!locals.user) signInFirst(url);
	const swarms = await listSwarms(getDb(platform!.env), locals.user.id);
	return { swarms: swarms.map((s) => ({ id: s.id, name: s.name, createdAt: s.createdAt.getTime() })) };
};

export const actions: Actions = {
	create: async ({ request, locals, platform }) => {
		if (!locals.user) redirect(303, '/signin?next=/swarm');
		const name = swarmName.safeParse((await request.formData()).get('name'));
		if (!name.success) return fail(400, { error: name.error.issues[0]?.message ?? 'Bad name.' });
		const env = platform!.env;
		const created = await createSwarm(getDb(env), env, locals.user.id, name.data);
		if ('error' in created) return fail(400, { error: created.error });
		redirect(303, `/swarm/${created.id}`);
	}
};
