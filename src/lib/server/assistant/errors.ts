import { APICallError } from 'ai';
import { IDLE_MESSAGE, ProviderUnavailable } from './provider-fetch';

/**
 * What a failed turn tells the person, and the code its log line records. Built only from our own
 * words, status codes and error classes: a provider's error body, the SDK's messages (which can carry
 * the request) and stack traces never reach a browser or a log.
 */
export function describeFailure(error: unknown): { code: string; message: string } {
	const chain: unknown[] = [];
	for (let e: unknown = error; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
	// Our own errors first: the SDK wraps them (a body that failed mid-stream is its "APICallError" of a 200).
	for (const e of chain) {
		if (e instanceof ProviderUnavailable) return { code: e.code, message: e.message };
		if (e instanceof DOMException && e.name === 'TimeoutError') return { code: 'timeout', message: IDLE_MESSAGE };
	}
	for (const e of chain) {
		if (APICallError.isInstance(e) && e.statusCode !== undefined && e.statusCode >= 400) {
			const status = e.statusCode;
			if (status === 401 || status === 403) {
				return {
					code: 'provider-auth',
					message: "The assistant's provider refused this server's credentials; tell an operator."
				};
			}
			return { code: `provider-${status}`, message: `The assistant's provider refused the request (HTTP ${status}).` };
		}
	}
	if (chain.some((e) => e instanceof DOMException && e.name === 'AbortError'))
		return { code: 'aborted', message: 'Stopped.' };
	return { code: 'failed', message: 'The assistant failed. Try again in a moment.' };
}
