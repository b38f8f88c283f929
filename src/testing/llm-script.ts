/**
 * Scripting the local OpenAI-compatible test server (e2e/support/llm-server.ts) over HTTP, from Node
 * or from inside workerd: what each next completion of a model answers, and what requests arrived.
 */
export type LlmStep =
	| { status: number; retryAfter?: string; message?: string }
	| { text: string[]; delayMs?: number; stallAfter?: number; usage?: { prompt: number; completion: number } }
	| { toolCalls: { name: string; arguments: unknown }[] };

export interface RecordedRequest {
	path: string;
	authorization: string | null;
	body: { model?: string; messages?: unknown[]; tools?: unknown[]; stream?: boolean; [key: string]: unknown };
	at: number;
}

/** Queues steps for one model on a running server (from Node, or from a workerd test through fetch). */
export async function scriptLlm(baseUrl: string, model: string, steps: LlmStep[]): Promise<void> {
	const response = await fetch(`${baseUrl}/_script`, { method: 'POST', body: JSON.stringify({ model, steps }) });
	if (!response.ok) throw new Error(`scripting the LLM server failed: ${response.status}`);
}

export async function llmRequests(baseUrl: string, model: string): Promise<RecordedRequest[]> {
	return (await fetch(`${baseUrl}/_requests?model=${encodeURIComponent(model)}`)).json() as Promise<RecordedRequest[]>;
}
