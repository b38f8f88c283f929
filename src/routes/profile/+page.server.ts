import { fail } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '$lib/server/db';
import { auditEvents, users } from '$lib/server/db/schema';
import { authenticate, changePassword, displayNameSchema, passwordSchema } from '$lib/server/auth/accounts';
import { invalidateUserSessions } from '$lib/server/auth/session';
import { startSession } from '$lib/server/auth/sign-in';
import { AvatarRejectedError, replaceAvatar } from '$lib/server/images/avatars';
import { signInFirst } from '$lib/server/auth/sign-in-first';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (!locals.user) signInFirst(url);
	return { profile: locals.user };
};

const nameChangeSchema = z.object({ displayName: displayNameSchema });
const passwordChangeSchema = z.object({ current: z.string().min(1).max(128), next: passwordSchema });

export const actions: Actions = {
	avatar: async ({ request, locals, platform }) => {
		if (!locals.user) return fail(401, { avatarError: 'Sign in first.' });
		const file = (await request.formData()).get('avatar');
		if (!(file instanceof File)) return fail(400, { avatarError: 'Choose an image file.' });
		try {
			await replaceAvatar(getDb(platform!.env), platform!.env.IMAGES, locals.user.id, locals.user.avatarKey, file);
		} catch (error) {
			if (error instanceof AvatarRejectedError) return fail(400, { avatarError: error.message });
			throw error;
		}
		return { avatarSaved: true };
	},

	name: async ({ request, locals, platform }) => {
		if (!locals.user) return fail(401, { nameError: 'Sign in first.' });
		const parsed = nameChangeSchema.safeParse(Object.fromEntries(await request.formData()));
		if (!parsed.success) return fail(400, { nameError: parsed.error.issues[0]!.message });
		await getDb(platform!.env).update(users).set(parsed.data).where(eq(users.id, locals.user.id));
		return { nameSaved: true };
	},

	password: async (event) => {
		const { locals, platform, request } = event;
		if (!locals.user) return fail(401, { passwordError: 'Sign in first.' });
		const parsed = passwordChangeSchema.safeParse(Object.fromEntries(await request.formData()));
		if (!parsed.success) return fail(400, { passwordError: parsed.error.issues[0]!.message });
		const db = getDb(platform!.env);
		if (!(await authenticate(db, locals.user.username, parsed.data.current))) {
			return fail(400, { passwordError: 'Your current password is not right.' });
		}
		await changePassword(db, locals.user.id, parsed.data.next);
		// Every other device must sign in again; this browser gets a new session.
		await invalidateUserSessions(db, locals.user.id);
		await db.insert(auditEvents).values({ at: new Date(), actorId: locals.user.id, action: 'user.password-change' });
		await startSession(event, locals.user.id);
		return { passwordSaved: true };
	}
};
