import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { getDb } from '$lib/server/db';
import { usernameSchema } from '$lib/server/auth/accounts';
import { addMember, MembershipError, removeMember } from '$lib/server/workspace/directory';
import type { Actions } from './$types';

const addSchema = z.object({ username: usernameSchema, role: z.enum(['editor', 'viewer']) });
const removeSchema = z.object({ userId: z.string().min(1).max(128) });

export const actions: Actions = {
	add: async ({ request, locals, params, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		const parsed = addSchema.safeParse(Object.fromEntries(await request.formData()));
		if (!parsed.success) return fail(400, { error: parsed.error.issues[0]!.message });
		try {
			const env = platform!.env;
			await addMember(env, getDb(env), locals.user.id, params.id, parsed.data.username, parsed.data.role);
		} catch (e) {
			if (e instanceof MembershipError) return fail(e.status, { error: e.message });
			throw e;
		}
		return { added: parsed.data.username };
	},
	remove: async ({ request, locals, params, platform }) => {
		if (!locals.user) return fail(401, { error: 'Sign in first.' });
		const parsed = removeSchema.safeParse(Object.fromEntries(await request.formData()));
		if (!parsed.success) return fail(400, { error: 'Choose a member to remove.' });
		try {
			const env = platform!.env;
			const closed = await removeMember(env, getDb(env), locals.user.id, params.id, parsed.data.userId);
			return { removed: parsed.data.userId, closedSockets: closed };
		} catch (e) {
			if (e instanceof MembershipError) return fail(e.status, { error: e.message });
			throw e;
		}
	}
};
