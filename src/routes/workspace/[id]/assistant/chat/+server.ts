import { z } from 'zod';
import { QUESTION_MAX } from '$lib/assistant/limits';
import { apiError } from '$lib/server/api-error';
import { NOT_CONFIGURED_HELP, providerConfig } from '$lib/server/assistant/config';
import { assistantRequest } from '$lib/server/assistant/request';
import { HISTORY_FOR_MODEL, runTurn } from '$lib/server/assistant/turn';
import { callAssistant, workspaceToolHost } from '$lib/server/assistant/workspace-bridge';
import { readJsonBody } from '$lib/server/read-json-body';
import type { RequestHandler } from './$types';

const question = z.object({
	question: z
		.string()
		.trim()
		.min(1, 'Ask something.')
		.max(QUESTION_MAX, `A question can be at most ${QUESTION_MAX} characters.`),
	/** The question's message id, made by the asking page so it knows the copy every member is sent. */
	id: z
		.string()
		.regex(/^[A-Za-z0-9_-]{8,64}$/, 'A question id is 8–64 letters, digits, - or _.')
		.optional()
});

/**
 * One question to the workspace's assistant; the answer streams back as the AI SDK's UI message stream
 * (server-sent events). The provider's key stays in this worker: the browser only ever talks to this route.
 */
export const POST: RequestHandler = async (event) => {
	const ctx = await assistantRequest(event);
	if (ctx instanceof Response) return ctx;
	const { env, workspaceId, caller, members } = ctx;
	const config = providerConfig(env);
	if (!config) return apiError(503, 'assistant-off', NOT_CONFIGURED_HELP);

	// Characters, not bytes, are the limit; 4 bytes a character bounds the body.
	const body = await readJsonBody(event.request, QUESTION_MAX * 4 + 256);
	if (!body.ok) {
		return body.reason === 'too-large'
			? apiError(413, 'too-large', `A question can be at most ${QUESTION_MAX} characters.`)
			: apiError(400, 'bad-json', 'Send the question as JSON.');
	}
	const parsed = question.safeParse(body.value);
	if (!parsed.success) return apiError(400, 'bad-question', parsed.error.issues[0].message);

	const budget = await callAssistant(env, workspaceId, 'admit', caller.userId);
	if (budget.retryAfterMs > 0) {
		const who = budget.scope === 'person' ? 'You have' : 'This workspace has';
		return apiError(429, 'assistant-budget', `${who} asked the assistant a lot lately. Try again later.`, {
			retryAfterMs: budget.retryAfterMs
		});
	}
	const { messages } = await callAssistant(env, workspaceId, 'history', HISTORY_FOR_MODEL);
	const asked = {
		id: parsed.data.id ?? crypto.randomUUID(),
		role: 'user' as const,
		userId: caller.userId,
		at: Date.now(),
		parts: [{ type: 'text', text: parsed.data.question }]
	};
	if (!(await callAssistant(env, workspaceId, 'save', asked, true))) {
		return apiError(409, 'id-taken', 'That question id is already used: ask again.');
	}
	return runTurn({
		...workspaceToolHost(env, workspaceId, caller, members),
		config,
		workspaceId,
		question: parsed.data.question,
		history: messages,
		signal: event.request.signal
	});
};
