import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { authenticate, signInSchema } from '$lib/server/auth/accounts';
import { safeNext } from '$lib/server/auth/safe-next';
import { clientIp, startSession } from '$lib/server/auth/sign-in';
import { clearAccountFailures, recordFailure, retryAfterSeconds } from '$lib/server/auth/throttle';
import type { Actions, PageServerLoad } from './$types';

/** One message for every failed sign-in, so it does not reveal whether the username exists. */
const SIGN_IN_FAILED = 'Wrong username or password.';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url));
};

export const actions: Actions = {
	default: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const username = String(form.username ?? '');
		const parsed = signInSchema.safeParse(form);
		if (!parsed.success) return fail(400, { username, error: SIGN_IN_FAILED });

		const db = getDb(event.platform!.env);
		const keys = { ip: clientIp(event), account: parsed.data.username };
		const wait = await retryAfterSeconds(db, keys);
		if (wait > 0) {
			event.setHeaders({ 'retry-after': String(wait) });
			return fail(429, {
				username,
				error: `Too many failed attempts. Try again in ${formatWait(wait)}.`,
				retryAfter: wait
			});
		}

		const user = await authenticate(db, parsed.data.username, parsed.data.password);
		if (!user) {
			await recordFailure(db, keys);
			return fail(400, { username, error: SIGN_IN_FAILED });
		}
		await clearAccountFailures(db, parsed.data.username);
		await startSession(event, user.id);
		redirect(303, safeNext(event.url));
	}
};

function formatWait(seconds: number) {
	return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
