import type { z } from 'zod';
import { ProtocolError } from '$lib/server/realtime/protocol-error';

/** Decode then validate one JSON text frame; anything else becomes a ProtocolError (an error frame). */
export function parseFrame<S extends z.ZodType>(message: string | ArrayBuffer, schema: S): z.infer<S> {
	if (typeof message !== 'string') throw new ProtocolError('bad-frame', 'Swarm frames are JSON text.');
	let data: unknown;
	try {
		data = JSON.parse(message);
	} catch {
		throw new ProtocolError('bad-frame', 'That frame is not valid JSON.');
	}
	const parsed = schema.safeParse(data);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
		throw new ProtocolError('bad-message', `${issue?.message ?? 'Invalid message.'}${where}`);
	}
	return parsed.data;
}
