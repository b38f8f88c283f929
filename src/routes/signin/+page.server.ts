import { fail, redirect } from '@sveltejs/kit';
import { getDb } from '$lib/server/db';
import { authenticate, signInSchema } from '$lib/server/auth/accounts';
import { safeNext } from '$lib/server/auth/safe-next';
import { clientKey, ensureDeviceCookie, startSession } from '$lib/server/auth/sign-in';
import { clearClientFailures, recordFailure, throttleVerdict, type ThrottleScope } from '$lib/server/auth/throttle';
import type { Actions, PageServerLoad } from './$types';

/** One message for every failed sign-in, so it does not reveal whether the username exists. */
const SIGN_IN_FAILED = 'Wrong username or password.';

export const load: PageServerLoad = async (event) => {
	if (event.locals.user) redirect(303, safeNext(event.url));
	await ensureDeviceCookie(event);
	// "Create an account" carries it on, so an invite or deep link survives sign-up too.
	return { next: safeNext(event.url) };
};

export const actions: Actions = {
	default: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const username = String(form.username ?? '');
		const parsed = signInSchema.safeParse(form);
		if (!parsed.success) return fail(400, { username, error: SIGN_IN_FAILED });

		const db = getDb(event.platform!.env);
		const keys = { client: await clientKey(event), account: parsed.data.username };
		const { retryAfter, scope } = await throttleVerdict(db, keys);
		if (scope) {
			event.setHeaders({ 'retry-after': String(retryAfter) });
			return fail(429, { username, error: throttledMessage(scope, retryAfter), retryAfter });
		}

		const user = await authenticate(db, parsed.data.username, parsed.data.password);
		if (!user) {
			await recordFailure(db, keys);
			return fail(400, { username, error: SIGN_IN_FAILED });
		}
		await clearClientFailures(db, keys);
		await startSession(event, user.id);
		redirect(303, safeNext(event.url));
	}
};

/**
 * Both say "Too many failed attempts" and when to try again. The account-wide one also says that another
 * device will not help, so its owner does not go looking for one. Unknown usernames have counters too, so
 * it reveals no more than the generic failure does.
 */
function throttledMessage(scope: ThrottleScope, seconds: number) {
	const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
	return scope === 'account'
		? `Too many failed attempts on this account from several places, so signing in to it is paused on every device. Try again in ${wait}.`
		: `Too many failed attempts. Try again in ${wait}.`;
}
