import type { ChatUser } from '$lib/protocol/chat';
import { CHAT_MAX_FRAME_BYTES } from '$lib/protocol/chat-limits';
import { apiError } from '$lib/server/api-error';
import type { SessionUser } from '$lib/server/auth/session';
import type { Db } from '$lib/server/db';
import { mapBounded } from '$lib/map-bounded';
import type { RoomActivity } from '$lib/protocol/chat-inbox';
import { CHAT_SUMMARY_CONCURRENCY } from '$lib/protocol/chat-unread-limits';
import { log } from '$lib/server/log';
import { readJsonBody } from '$lib/server/read-json-body';
import { RoomAccessError, requireMember } from './rooms';

/** The ChatRoom object of a room: one per D1 room id. */
export function chatRoomStub(env: Env, roomId: string) {
	return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(roomId));
}

/** A person's ChatInbox object (the live feed of their rooms): one per user id. */
export function chatInboxStub(env: Env, userId: string) {
	return env.CHAT_INBOX.get(env.CHAT_INBOX.idFromName(userId));
}

/**
 * The person joined or left a room: their open chat pages get the new room list. Best effort — a page
 * that misses it still has the right list on its next load.
 */
export async function membershipChanged(env: Env, userId: string): Promise<void> {
	try {
		await chatInboxStub(env, userId).roomsChanged();
	} catch (error) {
		log('warn', 'chat inbox refresh failed', { error: String(error) });
	}
}

/**
 * One person's summary of each of their rooms (unread, mentions, preview), asked of the rooms themselves,
 * a few at a time; a room that fails is left out (the list still shows it, without counts). With `watch`
 * (the person's ChatInbox asking), each room also starts sending them its changes.
 */
export async function roomSummaries(
	env: Env,
	userId: string,
	rooms: readonly { id: string; joinedAt: Date }[],
	{ watch = false } = {}
): Promise<RoomActivity[]> {
	const summaries = await mapBounded(rooms, CHAT_SUMMARY_CONCURRENCY, (room) => {
		const stub = chatRoomStub(env, room.id);
		const joinedAt = room.joinedAt.getTime();
		return (watch ? stub.watch(userId, joinedAt, room.id) : stub.summary(userId, joinedAt, room.id)).catch(
			(error: unknown) => {
				log('warn', 'chat room summary failed', { room: room.id, error: String(error) });
				return null;
			}
		);
	});
	return summaries.filter((s) => s !== null);
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
