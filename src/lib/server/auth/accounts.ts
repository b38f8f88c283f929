import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '$lib/server/db';
import { auditEvents, users } from '$lib/server/db/schema';
import { characterCount } from '$lib/protocol/text-length';
import { hashPassword, verifyPassword } from './password';

/** NIST SP 800-63B: at least 8 characters, allow long passphrases; cap to bound hashing work. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Every message says which field and what it must be, in words (zod's defaults say "Invalid input"). */
export const usernameSchema = z
	.string({ error: 'Enter a username.' })
	.trim()
	.toLowerCase()
	.regex(/^[a-z0-9_-]{3,32}$/, 'Username must be 3–32 letters, digits, "_" or "-" (no spaces).');

export const passwordSchema = z
	.string({ error: 'Enter a password.' })
	.min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters.`)
	.max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters.`);

export const DISPLAY_NAME_MAX = 64;

export const displayNameSchema = z
	.string({ error: 'Enter a display name.' })
	.trim()
	.min(1, 'Enter a display name.')
	.refine((s) => characterCount(s) <= DISPLAY_NAME_MAX, `Display name must be at most ${DISPLAY_NAME_MAX} characters.`);

export const signUpSchema = z.object({
	username: usernameSchema,
	displayName: displayNameSchema,
	password: passwordSchema
});

export const signInSchema = z.object({
	username: z.string().trim().toLowerCase().min(1).max(64),
	password: z.string().min(1).max(PASSWORD_MAX)
});

export class UsernameTakenError extends Error {
	constructor() {
		super('That username is taken.');
	}
}

export async function createUser(db: Db, input: z.infer<typeof signUpSchema>) {
	const existing = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username));
	if (existing.length > 0) throw new UsernameTakenError();
	const user = {
		id: crypto.randomUUID(),
		username: input.username,
		displayName: input.displayName,
		passwordHash: await hashPassword(input.password),
		avatarKey: null,
		createdAt: new Date()
	};
	await db.batch([
		db.insert(users).values(user),
		db.insert(auditEvents).values({ at: user.createdAt, actorId: user.id, action: 'user.sign-up' })
	]);
	return user;
}

/**
 * Returns the user when the password matches, else null. An unknown username still pays for one hash,
 * so response time does not reveal which usernames exist.
 */
export async function authenticate(db: Db, username: string, password: string) {
	const [user] = await db.select().from(users).where(eq(users.username, username));
	if (!user) {
		await verifyPassword(DUMMY_HASH, password);
		return null;
	}
	return (await verifyPassword(user.passwordHash, password)) ? user : null;
}

export async function changePassword(db: Db, userId: string, newPassword: string) {
	await db
		.update(users)
		.set({ passwordHash: await hashPassword(newPassword) })
		.where(eq(users.id, userId));
}

/** A well-formed hash of a random password, used to equalise timing for unknown usernames. */
const DUMMY_HASH =
	'$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA==$0OqRyUpnZ3GGWHsURDVMdr0DdJyYz1aRKZR3sAnWmbM=';
