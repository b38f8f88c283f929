import { eq } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { users } from '$lib/server/db/schema';
import { sniffImageType } from './sniff';

/** Avatars are shown small; 2 MB is plenty for a photo and bounds R2 use per user. */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

export class AvatarRejectedError extends Error {}

/** Stores the image in R2 under a fresh key, points the user at it and deletes the old one. */
export async function replaceAvatar(db: Db, images: R2Bucket, userId: string, previousKey: string | null, file: File) {
	if (file.size === 0) throw new AvatarRejectedError('Choose an image file.');
	if (file.size > AVATAR_MAX_BYTES) throw new AvatarRejectedError('That image is over 2 MB.');
	const bytes = new Uint8Array(await file.arrayBuffer());
	const type = sniffImageType(bytes);
	if (!type) throw new AvatarRejectedError('That file is not a PNG, JPEG, WebP or GIF image.');
	const key = `avatars/${userId}/${crypto.randomUUID()}`;
	await images.put(key, bytes, { httpMetadata: { contentType: type } });
	await db.update(users).set({ avatarKey: key }).where(eq(users.id, userId));
	if (previousKey) await images.delete(previousKey);
	return key;
}
