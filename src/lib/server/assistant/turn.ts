import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
	convertToModelMessages,
	createUIMessageStream,
	createUIMessageStreamResponse,
	stepCountIs,
	streamText,
	toUIMessageStream,
	type TextStreamPart,
	type ToolSet,
	type UIMessage
} from 'ai';
import type { StoredMessage } from '$lib/server/workspace/assistant-conversation';
import type { AssistantCaller } from './actions';
import { breakerFor, type CircuitBreaker } from './breaker';
import type { ProviderConfig } from './config';
import { describeFailure } from './errors';
import { providerFetch, type CallRecord } from './provider-fetch';
import { assistantTools, type ToolHost } from './tools';
import { log } from '$lib/server/log';
import { logCall } from './usage-log';

/** Characters of one answer; beyond it the text is cut (the provider is also told maxOutputTokens). */
export const ANSWER_MAX_CHARS = 8_000;
/** Tool steps per turn: enough to read the board, act and report; a loop cannot run on. */
export const TURN_MAX_STEPS = 6;
/** Earlier messages the model sees. */
export const HISTORY_FOR_MODEL = 20;

export interface TurnInput extends ToolHost {
	config: ProviderConfig;
	workspaceId: string;
	caller: AssistantCaller;
	/** The person's question (already length-checked) and its message id. */
	question: string;
	history: StoredMessage[];
	/** Stores the answer when it is done (the WorkspaceSync object's conversation). */
	saveAnswer(message: StoredMessage): Promise<void>;
	signal?: AbortSignal;
	breaker?: CircuitBreaker;
}

/**
 * One question and its streamed answer: the AI SDK calls the OpenAI-compatible endpoint (through
 * providerFetch: breaker, retries, timeouts, size cap), runs the tools, and the answer goes to the
 * browser as the SDK's UI message stream (server-sent events of text deltas and tool parts). Whatever
 * happens — a provider down, a timeout mid-answer — the stream ends with our own words and the answer
 * so far is kept; one JSON line is logged.
 */
export async function runTurn(input: TurnInput): Promise<Response> {
	const { config } = input;
	const breaker = input.breaker ?? breakerFor(`${config.baseUrl}#${config.model}`);
	const record: CallRecord = { requests: 0, lastStatus: null };
	const started = Date.now();
	const provider = createOpenAICompatible({
		name: 'llm',
		baseURL: config.baseUrl,
		apiKey: config.apiKey || undefined,
		includeUsage: true,
		fetch: providerFetch(config.limits, breaker, record)
	});
	const tools = assistantTools(input);
	const history = input.history.slice(-HISTORY_FOR_MODEL).map(toUIMessage);
	const messages = await convertToModelMessages(history, { tools, ignoreIncompleteToolCalls: true });
	messages.push({ role: 'user', content: input.question });

	let usage: { inputTokens?: number; outputTokens?: number } = {};
	let failure: { code: string; message: string } | null = null;
	let cut = false;
	let toolCalls = 0;
	const result = streamText({
		model: provider(config.model),
		system: systemPrompt(input),
		messages,
		tools,
		stopWhen: stepCountIs(TURN_MAX_STEPS),
		maxRetries: 0, // providerFetch retries, so the breaker sees every attempt
		maxOutputTokens: config.limits.maxOutputTokens,
		// Silence mid-answer is providerFetch's idle timeout (an error with our words); this bounds the turn.
		timeout: { totalMs: config.limits.totalTimeoutMs },
		abortSignal: input.signal,
		experimental_transform: () => capAnswer<typeof tools>(() => (cut = true)),
		// The default handler console.error()s the error, whose fields can hold the whole request.
		onError: ({ error }) => void (failure ??= describeFailure(error)),
		onStepEnd: (step) => void (toolCalls += step.toolCalls.length),
		onEnd: (event) => void (usage = event.totalUsage)
	});

	// createUIMessageStream turns an error anywhere in the merged stream (a stall the fetch cut, a
	// provider error) into one `error` chunk with our words, and still calls onEnd with the answer so far.
	const fail = (error: unknown) => (failure ??= describeFailure(error)).message;
	const stream = createUIMessageStream({
		generateId: () => crypto.randomUUID(),
		onError: fail,
		execute: ({ writer }) => {
			writer.merge(
				toUIMessageStream({
					stream: result.stream,
					tools,
					generateMessageId: () => crypto.randomUUID(),
					messageMetadata: ({ part }) =>
						part.type === 'start' ? { userId: input.caller.userId, at: started } : undefined,
					onError: fail
				})
			);
		},
		onEnd: async ({ responseMessage, isAborted }) => {
			const outcome = failure?.code ?? (isAborted ? 'aborted' : cut ? 'cut' : 'ok');
			if (failure?.code === 'timeout') breaker.failure(); // a stall after the headers: the fetch could not count it
			logCall({
				workspaceId: input.workspaceId,
				userId: input.caller.userId,
				model: config.model,
				outcome,
				latencyMs: Date.now() - started,
				requests: record.requests,
				lastStatus: record.lastStatus,
				inputTokens: usage.inputTokens ?? null,
				outputTokens: usage.outputTokens ?? null,
				toolCalls
			});
			// The person already has the answer; a store that refuses it (too large) costs the others only its copy.
			await input.saveAnswer(stored(responseMessage, input.caller.userId, started, failure)).catch(() => {
				log('warn', 'assistant answer not stored', { workspaceId: input.workspaceId });
			});
		}
	});
	return createUIMessageStreamResponse({ stream });
}

function systemPrompt(input: TurnInput): string {
	const me = input.members.find((m) => m.userId === input.caller.userId)?.username ?? 'a member';
	return [
		'You are the assistant of a Murmur workspace: a task board (columns todo, doing, done) and docs.',
		`You are talking to @${me}, whose role is ${input.caller.role}.`,
		'Read the board with readBoard before acting on tasks, and act only through the tools.',
		'Deleting tasks and moving several at once wait for the person to confirm in the panel: say so, do not repeat the call.',
		input.caller.role === 'viewer' ? 'Viewers cannot change the workspace: their write tools are refused.' : '',
		'Answer briefly, in the language of the question.'
	]
		.filter(Boolean)
		.join('\n');
}

/** Passes text until ANSWER_MAX_CHARS, then drops the rest of the answer's text (tool parts still pass). */
function capAnswer<T extends ToolSet>(onCut: () => void): TransformStream<TextStreamPart<T>, TextStreamPart<T>> {
	let chars = 0;
	let cut = false;
	return new TransformStream({
		transform(part, controller) {
			if (part.type !== 'text-delta') return controller.enqueue(part);
			if (cut) return;
			const room = ANSWER_MAX_CHARS - chars;
			if (part.text.length <= room) {
				chars += part.text.length;
				return controller.enqueue(part);
			}
			cut = true;
			onCut();
			const notice = ` … (answer cut at ${ANSWER_MAX_CHARS} characters)`;
			controller.enqueue({ ...part, text: part.text.slice(0, room) + notice });
		}
	});
}

function toUIMessage(message: StoredMessage): UIMessage {
	return { id: message.id, role: message.role, parts: message.parts as UIMessage['parts'] };
}

/**
 * The answer as stored. A failure's words become a `data-notice` part, so everyone sees later why it
 * ended (the model's history skips data parts).
 */
function stored(message: UIMessage, userId: string, at: number, failure: { message: string } | null): StoredMessage {
	const parts: unknown[] = [...message.parts];
	if (failure) parts.push({ type: 'data-notice', data: { message: failure.message } });
	return { id: message.id || crypto.randomUUID(), role: 'assistant', userId, at, parts };
}
