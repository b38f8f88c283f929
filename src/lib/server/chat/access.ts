import type { ChatUser } from '$lib/protocol/chat';
import { CHAT_MAX_FRAME_BYTES } from '$lib/protocol/chat-limits';
import { apiError } from '$lib/server/api-error';
import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { readJsonBody } from '$lib/server/read-json-body';
import { RoomAccessError, requireMember } from './rooms';

/** The ChatRoom object of a room: one per D1 room id. */
export function chatRoomStub(env: Env, roomId: string) {
	return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(roomId));
}

export function chatUser(user: SessionUser): ChatUser {
	return { id: user.id, name: user.displayName, avatarKey: user.avatarKey };
}

/** The signed-in user of a REST request, or the 401 response to return. */
export function apiUser(locals: App.Locals): SessionUser | Response {
	return locals.user ?? apiError(401, 'unauthenticated', 'Sign in first (send the session cookie).');
}

/** Null when the user is a member of the room, else the 404/403 response to return. */
export async function memberOrError(db: Db, roomId: string, userId: string): Promise<Response | null> {
	try {
		await requireMember(db, roomId, userId);
		return null;
	} catch (e) {
		if (e instanceof RoomAccessError)
			return apiError(e.status, e.status === 404 ? 'not-found' : 'forbidden', e.message);
		throw e;
	}
}

/**
 * JSON bodies only: a cross-site HTML form cannot send application/json, so with SameSite=Lax cookies
 * this closes the CSRF hole that SvelteKit's form-origin check leaves to JSON endpoints. Capped like a
 * socket frame (CHAT_MAX_FRAME_BYTES covers every valid request), so a huge body is refused unread.
 */
export async function readChatJson(request: Request): Promise<unknown> {
	if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json'))
		return apiError(415, 'unsupported-media-type', 'Send JSON (Content-Type: application/json).');
	const body = await readJsonBody(request, CHAT_MAX_FRAME_BYTES);
	if (body.ok) return body.value;
	return body.reason === 'too-large'
		? apiError(413, 'too-large', `The body is over ${CHAT_MAX_FRAME_BYTES} bytes.`)
		: apiError(400, 'bad-request', 'The body is not valid JSON.');
}

/** The HTTP answer for a ChatRoom result that failed; 429s carry Retry-After. */
export function resultError(result: { code: string; message: string; retryAfterMs?: number }): Response {
	return apiError(statusForCode(result.code), result.code, result.message, { retryAfterMs: result.retryAfterMs });
}

/** HTTP status for a ChatRoom result error code. */
export function statusForCode(code: string): number {
	switch (code) {
		case 'not-found':
			return 404;
		case 'forbidden':
			return 403;
		case 'gone':
			return 410;
		case 'id-taken':
			return 409;
		case 'rate-limited':
			return 429;
		default:
			return 400;
	}
}
