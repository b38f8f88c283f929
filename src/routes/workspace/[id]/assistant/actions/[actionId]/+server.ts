import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { apiError } from '$lib/server/api-error';
import { assistantRequest } from '$lib/server/assistant/request';
import { callAssistant } from '$lib/server/assistant/workspace-bridge';
import { readJsonBody } from '$lib/server/read-json-body';
import type { RequestHandler } from './$types';

const decision = z.object({ decision: z.enum(['confirm', 'cancel', 'undo']) });
const STATUS: Record<string, number> = { forbidden: 403, 'not-found': 404, conflict: 409, expired: 409 };

/**
 * The person's answer to an assistant action: confirm or cancel one waiting for confirmation, or undo
 * one applied. The WorkspaceSync object checks it is the asker's and applies it under their role now.
 */
export const POST: RequestHandler = async (event) => {
	const ctx = await assistantRequest(event);
	if (ctx instanceof Response) return ctx;
	const body = await readJsonBody(event.request, 256);
	const parsed = body.ok ? decision.safeParse(body.value) : null;
	if (!parsed?.success) return apiError(400, 'bad-decision', 'Send { "decision": "confirm" | "cancel" | "undo" }.');
	const outcome = await callAssistant(
		ctx.env,
		ctx.workspaceId,
		'resolve',
		ctx.caller,
		event.params.actionId,
		parsed.data.decision
	);
	if (!outcome.ok) return apiError(STATUS[outcome.code] ?? 400, outcome.code, outcome.error);
	return json(outcome);
};
