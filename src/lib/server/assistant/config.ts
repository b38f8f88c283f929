/**
 * The assistant's provider settings. LLM_BASE_URL and LLM_MODEL are plain vars (wrangler.toml [vars],
 * the Pages configs, the self-host settings); LLM_API_KEY is a secret (`wrangler secret put LLM_API_KEY`,
 * `.dev.vars` locally) that only this module and the provider's fetch ever read: it is never logged,
 * never sent to a browser, never part of an error message. Any OpenAI-compatible endpoint works: OpenAI,
 * a Braintrust proxy, Workers AI's /v1 endpoint, a local Ollama or llama.cpp server (no key needed).
 */
export interface AssistantEnv {
	LLM_BASE_URL?: string;
	LLM_MODEL?: string;
	LLM_API_KEY?: string;
}

export interface ProviderConfig {
	/** The endpoint's base, ending before `/chat/completions` (e.g. https://api.openai.com/v1). */
	baseUrl: string;
	model: string;
	/** Empty for endpoints without auth (a local Ollama). */
	apiKey: string;
	limits: ProviderLimits;
}

/** Time and size bounds of one call to the provider; tests shorten them. */
export interface ProviderLimits {
	/** Until the response headers of one attempt arrive. */
	requestTimeoutMs: number;
	/** The longest silence between two streamed chunks before the answer is given up. */
	idleTimeoutMs: number;
	/** The whole turn, tool steps included. */
	totalTimeoutMs: number;
	/** Attempts after the first on 429/5xx/network errors. */
	maxRetries: number;
	/** First backoff; doubles per retry, with jitter. */
	backoffMs: number;
	/** A Retry-After longer than this is not waited for: the person is told to try later instead. */
	maxRetryAfterMs: number;
	/** Bytes of one provider response body (a runaway stream is cut). */
	maxResponseBytes: number;
	/** Tokens the model may write per step (sent as max_tokens). */
	maxOutputTokens: number;
}

export const DEFAULT_LIMITS: ProviderLimits = {
	requestTimeoutMs: 20_000,
	idleTimeoutMs: 20_000,
	totalTimeoutMs: 90_000,
	maxRetries: 2,
	backoffMs: 500,
	maxRetryAfterMs: 10_000,
	maxResponseBytes: 2 * 1024 * 1024,
	maxOutputTokens: 1_024
};

/** What the panel shows when the assistant is off (no secret names beyond the ones to set). */
export const NOT_CONFIGURED_HELP =
	'The assistant is not set up on this server. An operator enables it by setting LLM_BASE_URL and LLM_MODEL ' +
	'(and the secret LLM_API_KEY if the endpoint needs one) to any OpenAI-compatible endpoint.';

/** The provider, or null when the assistant is not configured (the rest of the app does not care). */
export function providerConfig(env: AssistantEnv, limits: Partial<ProviderLimits> = {}): ProviderConfig | null {
	const baseUrl = env.LLM_BASE_URL?.trim() ?? '';
	const model = env.LLM_MODEL?.trim() ?? '';
	if (!baseUrl || !model || !isHttpUrl(baseUrl)) return null;
	return {
		baseUrl: baseUrl.replace(/\/+$/, ''),
		model,
		apiKey: env.LLM_API_KEY?.trim() ?? '',
		limits: { ...DEFAULT_LIMITS, ...limits }
	};
}

function isHttpUrl(value: string): boolean {
	try {
		const { protocol } = new URL(value);
		return protocol === 'http:' || protocol === 'https:';
	} catch {
		return false;
	}
}
