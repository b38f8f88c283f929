import * as decoding from 'lib0/decoding';
import { fromBase64 } from '$lib/protocol/doc-limits';
import { ProtocolError } from '$lib/server/realtime/protocol-error';

/** The refusals of a text message, and reading what a member sent (TextSync's helpers). */

export function refusal(code: string, message: string, textId: string): ProtocolError {
	return new ProtocolError(code, message, undefined, textId);
}

export function decodeBase64Or(encoded: string, textId: string): Uint8Array {
	try {
		return fromBase64(encoded);
	} catch {
		throw refusal('doc-corrupt-update', 'That update is not valid base64.', textId);
	}
}

/**
 * The Yjs client id of an awareness update that carries exactly one state, null or an object whose
 * `user.id` is the sender: a member can show only their own cursor under their own id. Null otherwise.
 */
export function ownAwarenessClient(update: Uint8Array, userId: string): number | null {
	try {
		const decoder = decoding.createDecoder(update);
		if (decoding.readVarUint(decoder) !== 1) return null;
		const clientId = decoding.readVarUint(decoder);
		decoding.readVarUint(decoder); // clock
		const state: unknown = JSON.parse(decoding.readVarString(decoder));
		if (decoding.hasContent(decoder)) return null;
		if (state === null) return clientId;
		if (typeof state !== 'object' || Array.isArray(state)) return null;
		const user = (state as { user?: unknown }).user;
		const ownId =
			typeof user === 'object' && user !== null && Object.hasOwn(user, 'id') && (user as { id: unknown }).id;
		return ownId === userId ? clientId : null;
	} catch {
		return null;
	}
}
