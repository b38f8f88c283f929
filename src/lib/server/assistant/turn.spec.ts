import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { llmRequests, scriptLlm, type LlmStep } from '../../../testing/llm-script';
import { CircuitBreaker } from './breaker';
import { providerConfig, type ProviderLimits } from './config';
import { ANSWER_MAX_CHARS, runTurn } from './turn';
import { callAssistant, workspaceToolHost } from './workspace-bridge';

/**
 * The proxy core against a local OpenAI-compatible server (src/testing/llm-global-setup.ts): the AI SDK
 * streams its SSE chunks through providerFetch (breaker, retries, timeouts), the answer comes back as
 * the UI message stream, and every call logs one line. Each test scripts its own model name, so the
 * server's queue is the test's own.
 */
const llmUrl = inject('llmUrl');
const KEY = 'sk-test-never-leaks-0123456789abcdef';
const QUESTION = 'A question nobody may log';
const FAST: Partial<ProviderLimits> = { backoffMs: 20, idleTimeoutMs: 400, requestTimeoutMs: 2_000 };
let logged: string[] = [];

beforeEach(() => {
	logged = [];
	for (const level of ['log', 'warn', 'error', 'info', 'debug'] as const) {
		vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
	}
});
afterEach(() => {
	vi.restoreAllMocks();
	// Whatever happened — errors included, whose SDK objects carry the whole request — no line held the
	// key or the question.
	expect(logged.join('\n')).not.toContain(KEY);
	expect(logged.join('\n')).not.toContain(QUESTION);
});

async function ask(
	model: string,
	steps: LlmStep[],
	options: { question?: string; breaker?: CircuitBreaker; limits?: Partial<ProviderLimits> } = {}
) {
	await scriptLlm(llmUrl, model, steps);
	const config = providerConfig(
		{ LLM_BASE_URL: `${llmUrl}/v1`, LLM_MODEL: model, LLM_API_KEY: KEY },
		{ ...FAST, ...options.limits }
	)!;
	const workspaceId = `ws-${crypto.randomUUID()}`;
	const caller = { userId: 'u-asker', role: 'editor' as const };
	const host = workspaceToolHost(env, workspaceId, caller, [{ userId: 'u-asker', username: 'asker' }]);
	const response = await runTurn({
		...host,
		config,
		workspaceId,
		question: options.question ?? QUESTION,
		history: [],
		breaker: options.breaker ?? new CircuitBreaker({ threshold: 5, cooldownMs: 60_000 })
	});
	const body = await response.text();
	const chunks = body
		.split('\n')
		.filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
		.map((line) => JSON.parse(line.slice(6)) as { type: string; delta?: string; errorText?: string });
	return {
		response,
		body,
		chunks,
		workspaceId,
		text: chunks
			.filter((c) => c.type === 'text-delta')
			.map((c) => c.delta)
			.join('')
	};
}

const callLines = () =>
	logged.filter((line) => line.includes('"assistant call"')).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('assistant turn', () => {
	it('streams the answer chunk by chunk, in order, sends the key only to the provider, and logs one line', async () => {
		const { response, chunks, body, text, workspaceId } = await ask(
			'm-stream',
			[{ text: ['Hel', 'lo, ', 'wor', 'ld'], delayMs: 5, usage: { prompt: 17, completion: 4 } }],
			{ question: 'a secret question' }
		);
		expect(response.headers.get('content-type')).toContain('text/event-stream');
		expect(chunks.filter((c) => c.type === 'text-delta').map((c) => c.delta)).toEqual(['Hel', 'lo, ', 'wor', 'ld']);
		expect(text).toBe('Hello, world');
		const [request] = await llmRequests(llmUrl, 'm-stream');
		expect(request.authorization).toBe(`Bearer ${KEY}`);
		expect(request.body.stream).toBe(true);
		expect(body).not.toContain(KEY);
		const lines = callLines();
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({ model: 'm-stream', outcome: 'ok', inputTokens: 17, outputTokens: 4, requests: 1 });
		expect(typeof lines[0].latencyMs).toBe('number');
		expect(logged.join('\n')).not.toContain(KEY);
		expect(logged.join('\n')).not.toContain('a secret question');
		// The answer is kept in the workspace's conversation.
		const { messages } = await callAssistant(env, workspaceId, 'history');
		expect(messages.at(-1)?.parts).toContainEqual(expect.objectContaining({ type: 'text', text: 'Hello, world' }));
	});

	it('retries a 429 after its Retry-After, then answers', async () => {
		const { text } = await ask('m-429', [{ status: 429, retryAfter: '1' }, { text: ['after the wait'] }]);
		expect(text).toBe('after the wait');
		const requests = await llmRequests(llmUrl, 'm-429');
		expect(requests).toHaveLength(2);
		expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950);
		expect(callLines()[0]).toMatchObject({ outcome: 'ok', requests: 2 });
	});

	it('does not wait for a Retry-After beyond its bound, and says when to come back', async () => {
		const { chunks } = await ask('m-429-long', [{ status: 429, retryAfter: '120' }]);
		expect(chunks.find((c) => c.type === 'error')?.errorText).toMatch(/rate limit.*120 seconds/);
		expect(await llmRequests(llmUrl, 'm-429-long')).toHaveLength(1);
		expect(callLines()[0]).toMatchObject({ outcome: 'rate-limited' });
	});

	it('opens the breaker after repeated 500s, refuses at once while open, half-opens after the cool-down', async () => {
		let now = 1_000_000;
		const breaker = new CircuitBreaker({ threshold: 3, cooldownMs: 30_000, now: () => now });
		// One turn: the first attempt and two retries all fail, the third failure opens the breaker.
		const failed = await ask('m-500', [{ status: 500 }, { status: 500 }, { status: 500 }], { breaker });
		expect(failed.chunks.find((c) => c.type === 'error')?.errorText).toMatch(/failed \(HTTP 500\)/);
		expect(breaker.state).toBe('open');
		expect(await llmRequests(llmUrl, 'm-500')).toHaveLength(3);

		const refused = await ask('m-500', [], { breaker });
		expect(refused.chunks.find((c) => c.type === 'error')?.errorText).toMatch(/paused\. Try again in 30 seconds/);
		expect(await llmRequests(llmUrl, 'm-500')).toHaveLength(3); // nothing reached the provider

		now += 30_000;
		expect(breaker.state).toBe('half-open');
		const probe = await ask('m-500', [{ text: ['back'] }], { breaker });
		expect(probe.text).toBe('back');
		expect(breaker.state).toBe('closed');
		expect(callLines().map((l) => l.outcome)).toEqual(['provider-error', 'breaker-open', 'ok']);
	});

	it('ends a stream that goes silent mid-answer with a message, keeping what came', async () => {
		const { chunks, text, workspaceId } = await ask('m-stall', [
			{ text: ['Half an ', 'answer', 'never'], stallAfter: 2 }
		]);
		expect(text).toBe('Half an answer');
		expect(chunks.find((c) => c.type === 'error')?.errorText).toMatch(/stopped answering/);
		expect(chunks.at(-1)?.type).not.toBe('text-delta');
		expect(callLines()[0]).toMatchObject({ outcome: 'timeout' });
		const { messages } = await callAssistant(env, workspaceId, 'history');
		expect(messages.at(-1)?.parts).toContainEqual({
			type: 'data-notice',
			data: { message: expect.stringMatching(/stopped answering/) }
		});
	});

	it('cuts an answer at ANSWER_MAX_CHARS and says so', async () => {
		const { text } = await ask('m-long', [{ text: Array.from({ length: 9 }, () => 'x'.repeat(1_000)) }]);
		expect(text.startsWith('x'.repeat(ANSWER_MAX_CHARS))).toBe(true);
		expect(text.slice(ANSWER_MAX_CHARS)).toBe(` … (answer cut at ${ANSWER_MAX_CHARS} characters)`);
		expect(callLines()[0]).toMatchObject({ outcome: 'cut' });
	});

	it('is off without LLM_BASE_URL or LLM_MODEL, and with a URL that is not http(s)', () => {
		expect(providerConfig({})).toBeNull();
		expect(providerConfig({ LLM_BASE_URL: 'http://x/v1' })).toBeNull();
		expect(providerConfig({ LLM_BASE_URL: 'file:///etc', LLM_MODEL: 'm' })).toBeNull();
		expect(providerConfig({ LLM_BASE_URL: 'http://x/v1/', LLM_MODEL: 'm' })?.baseUrl).toBe('http://x/v1');
	});
});
