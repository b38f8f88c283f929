import { log } from '$lib/server/log';

/**
 * One JSON line per assistant call: which model, how many tokens, how long, how many provider requests (tool steps and retries) and how
 * it ended. Never the prompt, the answer, tool arguments or anything of the key: only counts, ids and
 * outcome codes go in, so the line is safe to ship to any log store.
 */
export interface CallLine {
	workspaceId: string;
	userId: string;
	model: string;
	outcome: 'ok' | 'cut' | 'aborted' | string;
	latencyMs: number;
	requests: number;
	lastStatus: number | null;
	inputTokens: number | null;
	outputTokens: number | null;
	toolCalls: number;
}

export function logCall(line: CallLine): void {
	log(line.outcome === 'ok' || line.outcome === 'cut' ? 'info' : 'warn', 'assistant call', { ...line });
}
