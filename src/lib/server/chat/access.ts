import { json } from '@sveltejs/kit';
import type { ChatUser } from '$lib/protocol/chat';
import { CHAT_MAX_FRAME_BYTES } from '$lib/protocol/chat-limits';
import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import type { SocketIdentity } from '$lib/server/realtime/identity';
import { readJsonBody } from '$lib/server/read-json-body';
import { RoomAccessError, requireMember } from './rooms';

/** The ChatRoom object of a room: one per D1 room id. */
export function chatRoomStub(env: Env, roomId: string) {
	return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(roomId));
}

export function chatUser(user: SessionUser): ChatUser {
	return { id: user.id, name: user.displayName, avatarKey: user.avatarKey };
}

/** The socket identity for a signed-in user; the avatar rides along as a claim so messages can show it. */
export function chatIdentity(user: SessionUser): SocketIdentity {
	return {
		kind: 'user',
		id: user.id,
		name: user.displayName,
		claims: user.avatarKey ? { avatarKey: user.avatarKey } : undefined
	};
}

/** REST callers get JSON errors, not HTML error pages. */
export function jsonError(status: number, code: string, message: string, headers?: HeadersInit): Response {
	return json({ error: { code, message } }, { status, headers });
}

/** The signed-in user of a REST request, or the 401 response to return. */
export function apiUser(locals: App.Locals): SessionUser | Response {
	return locals.user ?? jsonError(401, 'unauthorized', 'Sign in first (send the session cookie).');
}

/** Null when the user is a member of the room, else the 404/403 response to return. */
export async function memberOrError(db: Db, roomId: string, userId: string): Promise<Response | null> {
	try {
		await requireMember(db, roomId, userId);
		return null;
	} catch (e) {
		if (e instanceof RoomAccessError)
			return jsonError(e.status, e.status === 404 ? 'not-found' : 'forbidden', e.message);
		throw e;
	}
}

/**
 * JSON bodies only: a cross-site HTML form cannot send application/json, so with SameSite=Lax cookies
 * this closes the CSRF hole that SvelteKit's form-origin check leaves to JSON endpoints. Capped like a
 * socket frame (CHAT_MAX_FRAME_BYTES covers every valid request), so a huge body is refused unread.
 */
export async function readJson(request: Request): Promise<unknown> {
	if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json'))
		return jsonError(415, 'unsupported-media-type', 'Send JSON (Content-Type: application/json).');
	const body = await readJsonBody(request, CHAT_MAX_FRAME_BYTES);
	if (body.ok) return body.value;
	return body.reason === 'too-large'
		? jsonError(413, 'too-large', `The body is over ${CHAT_MAX_FRAME_BYTES} bytes.`)
		: jsonError(400, 'bad-request', 'The body is not valid JSON.');
}

/** The HTTP answer for a ChatRoom result that failed; 429s carry Retry-After. */
export function resultError(result: { code: string; message: string; retryAfterMs?: number }): Response {
	const headers = result.retryAfterMs ? { 'retry-after': String(Math.ceil(result.retryAfterMs / 1000)) } : undefined;
	return jsonError(statusForCode(result.code), result.code, result.message, headers);
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
