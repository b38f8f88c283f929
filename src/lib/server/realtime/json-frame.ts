import type { z } from 'zod';
import { ProtocolError } from './protocol-error';

/**
 * Decodes then validates one JSON text frame for the Durable Objects that speak JSON (swarm, workspace,
 * relay). Anything else becomes a ProtocolError, which the realtime base answers with an error frame while
 * the socket stays open: 'bad-frame' when it is not JSON text, 'bad-message' (naming the field) when the
 * schema refuses it.
 */
export function parseJsonFrame<S extends z.ZodType>(message: string | ArrayBuffer, schema: S): z.infer<S> {
	if (typeof message !== 'string') throw new ProtocolError('bad-frame', 'Expected a JSON text frame.');
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
