import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { createUser, signUpSchema, UsernameTakenError } from '$lib/server/auth/accounts';
import { safeNext } from '$lib/server/auth/safe-next';
import { startSession } from '$lib/server/auth/sign-in';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url));
	// The form posts back to this URL, `?next=` included, and the action sends the new account there.
	return { next: safeNext(url) };
};

type FieldErrors = Partial<Record<'username' | 'displayName' | 'password', string[]>>;

export const actions: Actions = {
	default: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const parsed = signUpSchema.safeParse(form);
		const values = { username: String(form.username ?? ''), displayName: String(form.displayName ?? '') };
		if (!parsed.success) {
			return fail(400, { values, errors: parsed.error.flatten().fieldErrors as FieldErrors });
		}
		let userId: string;
		try {
			userId = (await createUser(getDb(event.platform!.env), parsed.data)).id;
		} catch (error) {
			if (error instanceof UsernameTakenError)
				return fail(409, { values, errors: { username: [error.message] } as FieldErrors });
			throw error;
		}
		await startSession(event, userId);
		redirect(303, safeNext(event.url));
	}
};
